import Foundation

/// Elementwise unary functions. Each has a derivative expressed through the input and/or output.
public enum UnaryOp: Sendable {
    case exp, log, sqrt, abs, relu, relu6, gelu, sigmoid, tanh, silu
}

enum UnaryKernel {
    @inline(__always)
    static func forward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        switch op {
        case .exp: VectorMath.exp(x, o, n)
        case .log: for i in 0..<n { o[i] = Foundation.logf(x[i]) }
        case .sqrt: for i in 0..<n { o[i] = x[i].squareRoot() }
        case .abs: for i in 0..<n { o[i] = Swift.abs(x[i]) }
        case .relu: for i in 0..<n { o[i] = x[i] > 0 ? x[i] : 0 }
        case .relu6: ClampKernels.relu6(x, o, n)
        case .gelu: VectorMath.gelu(x, o, n)
        case .sigmoid: VectorMath.sigmoid(x, o, n)
        case .tanh: for i in 0..<n { o[i] = Foundation.tanhf(x[i]) }
        case .silu: VectorMath.silu(x, o, n)
        }
    }

    /// gx = g * f'(x), using the saved input x and output y.
    @inline(__always)
    static func backward(_ op: UnaryOp, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                         _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        switch op {
        case .exp: for i in 0..<n { o[i] = g[i] * y[i] }
        case .log: for i in 0..<n { o[i] = g[i] / x[i] }
        case .sqrt: for i in 0..<n { o[i] = g[i] * 0.5 / y[i] }
        case .abs: for i in 0..<n { o[i] = x[i] > 0 ? g[i] : (x[i] < 0 ? -g[i] : 0) }
        case .relu: for i in 0..<n { o[i] = x[i] > 0 ? g[i] : 0 }
        case .relu6: ClampKernels.relu6Gradient(g, x, o, n)
        case .gelu: VectorMath.geluBackward(g, x, o, n)
        case .sigmoid: for i in 0..<n { o[i] = g[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<n { o[i] = g[i] * (1 - y[i] * y[i]) }
        case .silu:
            // Vectorised sigmoid into o first, then the derivative in place.
            VectorMath.sigmoid(x, o, n)
            for i in 0..<n { let s = o[i]; o[i] = g[i] * s * (1 + x[i] * (1 - s)) }
        }
    }
}

extension Tensor {
    /// Applies a unary function elementwise, with autograd.
    public func unary(_ op: UnaryOp) -> Tensor {
        let x = contiguousValues()
        let out = Tensor(uninitializedShape: shape)
        let px = x.basePointer, po = out.basePointer
        Parallel.forRanges(count, costPerItem: 4) { r in UnaryKernel.forward(op, px + r.lowerBound, po + r.lowerBound, r.count) }
        return Autograd.record("\(op)", output: out, inputs: [self]) { g, _ in
            let gc = g.contiguousValues()
            let gx = Tensor(uninitializedShape: x.shape)
            let pg = gc.basePointer, py = out.basePointer, pgx = gx.basePointer
            Parallel.forRanges(x.count, costPerItem: 4) { r in
                let lo = r.lowerBound
                UnaryKernel.backward(op, pg + lo, px + lo, py + lo, pgx + lo, r.count)
            }
            return [gx]
        }
    }

    public func exp() -> Tensor { unary(.exp) }
    public func log() -> Tensor { unary(.log) }
    public func sqrt() -> Tensor { unary(.sqrt) }
    public func abs() -> Tensor { unary(.abs) }
    public func relu() -> Tensor { unary(.relu) }
    public func relu6() -> Tensor { unary(.relu6) }
    /// GELU with the exact erf form (BERT's).
    public func gelu() -> Tensor { unary(.gelu) }
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    public func tanh() -> Tensor { unary(.tanh) }
    public func silu() -> Tensor { unary(.silu) }

    /// x^p for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let x = contiguousValues()
        let out = x.map { Foundation.powf($0, p) }
        return Autograd.record("pow", output: out, inputs: [self]) { g, _ in
            [try g * x.map { p * Foundation.powf($0, p - 1) }]
        }
    }

    /// Clamps values into [min, max]; the gradient passes where the input is inside the range.
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        let x = contiguousValues()
        let out = x.map { Swift.min(Swift.max($0, lo), hi) }
        return Autograd.record("clamp", output: out, inputs: [self]) { g, _ in
            [try g * x.map { $0 >= lo && $0 <= hi ? 1 : 0 }]
        }
    }
}
