/// ReLU6 and its gradient with explicit 8-wide SIMD: the scalar loops stayed scalar because the
/// compiler cannot rule out aliasing between the input and output pointers.
enum ClampKernels {
    static func relu6(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = SIMD8<Float>(repeating: 0), six = SIMD8<Float>(repeating: 6)
        while i + 8 <= n {
            // Selects, not `clamped` (which calls unspecialised generic min/max).
            var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            v.replace(with: zero, where: v .< zero)
            v.replace(with: six, where: v .> six)
            UnsafeMutableRawPointer(o + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { o[i] = Swift.min(Swift.max(x[i], 0), 6); i += 1 }
    }

    /// o = g where 0 < x < 6, else 0.
    static func relu6Gradient(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = SIMD8<Float>(repeating: 0), six = SIMD8<Float>(repeating: 6)
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            let r = zero.replacing(with: gv, where: (v .> zero) .& (v .< six))
            UnsafeMutableRawPointer(o + i).storeBytes(of: r, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { o[i] = x[i] > 0 && x[i] < 6 ? g[i] : 0; i += 1 }
    }
}
