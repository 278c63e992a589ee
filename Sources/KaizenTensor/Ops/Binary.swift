import Foundation

/// Elementwise binary operations with NumPy broadcasting.
public enum BinaryOp: Sendable {
    case add, sub, mul, div, pow, maximum, minimum
}

enum BinaryKernel {
    /// out[i] = op(a[i*sa], b[i*sb]) for i in 0..<n; strides are 0 (broadcast) or 1.
    @inline(__always)
    static func row(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                    _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        switch (op, sa, sb) {
        case (.add, 1, 1): for i in 0..<n { o[i] = a[i] + b[i] }
        case (.sub, 1, 1): for i in 0..<n { o[i] = a[i] - b[i] }
        case (.mul, 1, 1): for i in 0..<n { o[i] = a[i] * b[i] }
        case (.div, 1, 1): for i in 0..<n { o[i] = a[i] / b[i] }
        case (.add, 1, 0): let s = b[0]; for i in 0..<n { o[i] = a[i] + s }
        case (.sub, 1, 0): let s = b[0]; for i in 0..<n { o[i] = a[i] - s }
        case (.mul, 1, 0): let s = b[0]; for i in 0..<n { o[i] = a[i] * s }
        case (.div, 1, 0): let s = b[0]; for i in 0..<n { o[i] = a[i] / s }
        case (.add, 0, 1): let s = a[0]; for i in 0..<n { o[i] = s + b[i] }
        case (.sub, 0, 1): let s = a[0]; for i in 0..<n { o[i] = s - b[i] }
        case (.mul, 0, 1): let s = a[0]; for i in 0..<n { o[i] = s * b[i] }
        case (.div, 0, 1): let s = a[0]; for i in 0..<n { o[i] = s / b[i] }
        default:
            for i in 0..<n {
                let x = a[i * sa], y = b[i * sb]
                switch op {
                case .add: o[i] = x + y
                case .sub: o[i] = x - y
                case .mul: o[i] = x * y
                case .div: o[i] = x / y
                case .pow: o[i] = Foundation.powf(x, y)
                case .maximum: o[i] = x >= y ? x : y
                case .minimum: o[i] = x <= y ? x : y
                }
            }
        }
    }

    /// Broadcast `op` over contiguous inputs into a new contiguous output.
    static func apply(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, outShape: [Int]) -> Tensor {
        let a = a.contiguousValues(), b = b.contiguousValues()
        let out = Tensor(uninitializedShape: outShape)
        let n = out.count
        if n == 0 { return out }
        let pa = a.basePointer, pb = b.basePointer, po = out.basePointer
        if a.shape == b.shape {
            Parallel.forRanges(n) { r in row(op, pa + r.lowerBound, 1, pb + r.lowerBound, 1, po + r.lowerBound, r.count) }
            return out
        }
        if b.count == 1 {
            Parallel.forRanges(n) { r in row(op, pa + r.lowerBound, 1, pb, 0, po + r.lowerBound, r.count) }
            return out
        }
        if a.count == 1 {
            Parallel.forRanges(n) { r in row(op, pa, 0, pb + r.lowerBound, 1, po + r.lowerBound, r.count) }
            return out
        }
        // General broadcast: strides of 0 on broadcast dimensions, innermost dimension as a row.
        let rank = outShape.count
        func bstrides(_ s: [Int]) -> [Int] {
            let c = Shape.contiguousStrides(s)
            return (0..<rank).map { i in
                let j = i - (rank - s.count)
                return j < 0 || s[j] == 1 ? 0 : c[j]
            }
        }
        let sa = bstrides(a.shape), sb = bstrides(b.shape)
        let inner = outShape[rank - 1]
        let rows = n / max(inner, 1)
        Parallel.forRanges(rows, costPerItem: inner) { r in
            for rowIndex in r {
                var rem = rowIndex, offA = 0, offB = 0
                for d in stride(from: rank - 2, through: 0, by: -1) {
                    let idx = rem % outShape[d]
                    rem /= outShape[d]
                    offA += idx * sa[d]
                    offB += idx * sb[d]
                }
                row(op, pa + offA, sa[rank - 1], pb + offB, sb[rank - 1], po + rowIndex * inner, inner)
            }
        }
        return out
    }
}

extension Tensor {
    /// Broadcast binary op with autograd; throws when shapes cannot broadcast.
    public func binary(_ op: BinaryOp, _ other: Tensor) throws -> Tensor {
        guard let outShape = Shape.broadcast(shape, other.shape) else {
            throw KaizenError.shapeMismatch(op: "\(op)", detail: "\(Shape.describe(shape)) and \(Shape.describe(other.shape)) do not broadcast")
        }
        let a = self, b = other
        let out = BinaryKernel.apply(op, a, b, outShape: outShape)
        return Autograd.record("\(op)", output: out, inputs: [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            switch op {
            case .add:
                if needs[0] { ga = try g.sum(toShape: a.shape) }
                if needs[1] { gb = try g.sum(toShape: b.shape) }
            case .sub:
                if needs[0] { ga = try g.sum(toShape: a.shape) }
                if needs[1] { gb = try (-g).sum(toShape: b.shape) }
            case .mul:
                if needs[0] { ga = try (g * b).sum(toShape: a.shape) }
                if needs[1] { gb = try (g * a).sum(toShape: b.shape) }
            case .div:
                if needs[0] { ga = try (g / b).sum(toShape: a.shape) }
                if needs[1] { gb = try (-(g * a) / (b * b)).sum(toShape: b.shape) }
            case .pow:
                // d/da a^b = b a^(b-1); d/db a^b = a^b log a (defined for a > 0).
                if needs[0] { ga = try (g * b * a.binary(.pow, b - 1)).sum(toShape: a.shape) }
                if needs[1] { gb = try (g * out * a.log()).sum(toShape: b.shape) }
            case .maximum, .minimum:
                let pick = BinaryKernel.apply(op == .maximum ? .sub : .sub, a, b, outShape: outShape)
                let mask = pick.map { op == .maximum ? ($0 >= 0 ? 1 : 0) : ($0 <= 0 ? 1 : 0) }
                if needs[0] { ga = try (g * mask).sum(toShape: a.shape) }
                if needs[1] { gb = try (g * (1 - mask)).sum(toShape: b.shape) }
            }
            return [ga, gb]
        }
    }

    /// Sums a broadcast gradient back to `target` (reduces leading and size-1 dimensions).
    public func sum(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let extra = rank - target.count
        guard extra >= 0 else {
            throw KaizenError.shapeMismatch(op: "sum(toShape:)", detail: "\(Shape.describe(shape)) to \(Shape.describe(target))")
        }
        var axes: [Int] = Array(0..<extra)
        for (i, d) in target.enumerated() where d == 1 && shape[i + extra] != 1 { axes.append(i + extra) }
        let reduced = try sum(axes: axes, keepDims: true)
        return try reduced.reshaped(target)
    }

    /// A new tensor with `f` applied to each value (no autograd; for masks and constants).
    public func map(_ f: (Float) -> Float) -> Tensor {
        let c = contiguousValues()
        let out = Tensor(uninitializedShape: shape)
        let p = c.basePointer, o = out.basePointer
        for i in 0..<count { o[i] = f(p[i]) }
        return out
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.add, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.sub, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.mul, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.div, b) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }

    /// scale * x + shift, elementwise, with autograd.
    public func affine(scale: Float, shift: Float) -> Tensor {
        let c = contiguousValues()
        let out = Tensor(uninitializedShape: shape)
        let p = c.basePointer, o = out.basePointer
        Parallel.forRanges(count) { r in for i in r { o[i] = scale * p[i] + shift } }
        return Autograd.record("affine", output: out, inputs: [self]) { g, _ in [g.affine(scale: scale, shift: 0)] }
    }
}
