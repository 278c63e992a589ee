/// Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex problems
/// such as the linear probe. Works on Double vectors; the objective returns (value, gradient).
public struct LBFGS: Sendable {
    /// Pairs of past steps kept for the inverse-Hessian estimate.
    public var memory = 10
    /// Maximum iterations (the FUNGI probe uses 300).
    public var maxIterations = 300
    /// Stop when the gradient's infinity norm falls below this (cyanure's tol 1e-3 is on a relative gap; close enough here).
    public var tolerance = 1e-5

    public init(memory: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-5) {
        self.memory = memory
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    public func minimize(_ x0: [Double], _ f: ([Double]) throws -> (Double, [Double])) throws -> [Double] {
        var x = x0
        var (fx, g) = try f(x)
        var sHist: [[Double]] = [], yHist: [[Double]] = [], rhoHist: [Double] = []
        for _ in 0..<maxIterations {
            if g.reduce(0, { max($0, Swift.abs($1)) }) < tolerance { break }
            // Two-loop recursion for the direction -H g.
            var q = g
            var alphas = [Double](repeating: 0, count: sHist.count)
            for i in stride(from: sHist.count - 1, through: 0, by: -1) {
                alphas[i] = rhoHist[i] * dot(sHist[i], q)
                axpy(-alphas[i], yHist[i], &q)
            }
            if let s = sHist.last, let y = yHist.last {
                let scale = dot(s, y) / max(dot(y, y), 1e-300)
                for i in q.indices { q[i] *= scale }
            }
            for i in 0..<sHist.count {
                let beta = rhoHist[i] * dot(yHist[i], q)
                axpy(alphas[i] - beta, sHist[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(direction, g)
            if slope >= 0 { direction = g.map { -$0 }; slope = -dot(g, g); sHist = []; yHist = []; rhoHist = [] }
            var step = sHist.isEmpty ? min(1, 1 / max(g.reduce(0) { $0 + Swift.abs($1) }, 1e-12)) : 1.0
            var accepted = false
            var xNew = x, fNew = fx, gNew = g
            for _ in 0..<40 {
                for i in x.indices { xNew[i] = x[i] + step * direction[i] }
                (fNew, gNew) = try f(xNew)
                if fNew.isFinite && fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { break }
            let s = zip(xNew, x).map { $0 - $1 }, y = zip(gNew, g).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 {
                sHist.append(s); yHist.append(y); rhoHist.append(1 / sy)
                if sHist.count > memory { sHist.removeFirst(); yHist.removeFirst(); rhoHist.removeFirst() }
            }
            let decrease = fx - fNew
            x = xNew; fx = fNew; g = gNew
            if decrease < 1e-12 * max(1, Swift.abs(fx)) { break }
        }
        return x
    }

    @inline(__always) private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    @inline(__always) private func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += a * x[i] }
    }
}
