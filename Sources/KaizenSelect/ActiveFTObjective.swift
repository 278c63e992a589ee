import Foundation

/// ActiveFT's loss in the official code's form and its exact gradient, on raw buffers.
///
/// With c_j = theta_j / |theta_j|, s_ij = f_i . c_j / tau, p(i) = argmax_j s_ij, a_i = s_{i,p(i)},
/// G_kj = c_k . c_j / tau and S_j = sum_k exp(G_kj) (self term included):
///   L = (1/N) sum_i [ log(exp(a_i) + S_{p(i)}) - a_i ].
/// As in the official code, only the column factor c_j of G carries gradient (the row factor is
/// detached). The N x K similarities are streamed through sgemm in row blocks keeping only each
/// row's max, argmax and a bound on its second best (`ActiveFTAssignment`), so memory is
/// O(N + K^2 + block K).
struct ActiveFTObjective {
    let features: UnsafePointer<Float>
    let n: Int
    let d: Int
    let temperature: Float
    /// p(i) and a_i, carried across steps so that unchanged rows are not recomputed.
    var assignment: ActiveFTAssignment

    init(features: UnsafePointer<Float>, n: Int, d: Int, temperature: Float, blockRows: Int = 4096, usesBounds: Bool = true) {
        self.features = features
        self.n = n
        self.d = d
        self.temperature = temperature
        assignment = ActiveFTAssignment(features: features, n: n, d: d, blockRows: blockRows, usesBounds: usesBounds)
    }

    /// Loss at `theta` [k, d]; writes dL/dtheta into `gradient` [k, d] when given.
    mutating func evaluate(theta: UnsafePointer<Float>, k: Int, gradient: UnsafeMutablePointer<Float>?) -> Double {
        let tau = Double(temperature)
        // Normalised centroids.
        var c = [Float](repeating: 0, count: k * d)
        var radius = [Float](repeating: 1, count: k)
        for j in 0..<k {
            let row = theta + j * d
            let r = max(Kernels.dot(row, row, d).squareRoot(), 1e-12)
            radius[j] = r
            for t in 0..<d { c[j * d + t] = row[t] / r }
        }
        // E_kj = exp(G_kj) and its column sums S_j, in Double.
        var gram = [Float](repeating: 0, count: k * k)
        c.withUnsafeBufferPointer { pc in
            gram.withUnsafeMutableBufferPointer { pg in
                BLAS.sgemm(transA: false, transB: true, m: k, n: k, k: d, a: pc.baseAddress!, lda: d,
                           b: pc.baseAddress!, ldb: d, c: pg.baseAddress!, ldc: k)
            }
        }
        var expGram = [Float](repeating: 0, count: k * k)
        var columnSum = [Double](repeating: 0, count: k)
        for r in 0..<k {
            for j in 0..<k {
                let e = Foundation.exp(Double(gram[r * k + j]) / tau)
                expGram[r * k + j] = Float(e)
                columnSum[j] += e
            }
        }

        // Assignment (streamed, pruned by bounds across steps) and per-sample terms.
        assignment.update(c: c, k: k)
        var term = [Double](repeating: 0, count: n)
        var featureWeight = [Float](repeating: 0, count: n)
        var spreadWeight = [Double](repeating: 0, count: n)
        let scale = 1 / (tau * Double(n))
        let owner = assignment.owner
        let box = UncheckedSendable((columnSum, assignment.best, owner))
        term.withUnsafeMutableBufferPointer { pt in
            featureWeight.withUnsafeMutableBufferPointer { pw in
                spreadWeight.withUnsafeMutableBufferPointer { pu in
                    let out = UncheckedSendable((pt, pw, pu))
                    Parallel.forRanges(n, costPerItem: 64) { range in
                        let (columnSum, best, owner) = box.value
                        let (pt, pw, pu) = out.value
                        for i in range {
                            let a = Double(best[i]) / tau
                            let q = columnSum[Int(owner[i])] * Foundation.exp(-a)
                            pt[i] = Foundation.log1p(q)
                            pw[i] = Float(-(q / (1 + q)) * scale)
                            pu[i] = Foundation.exp(-a) / (1 + q) * scale
                        }
                    }
                }
            }
        }
        var loss = 0.0
        for v in term { loss += v }
        loss /= Double(n)
        guard let gradient else { return loss }

        // dL/dc_j = sum_{i: p(i)=j} w_i f_i + (sum_{i: p(i)=j} u_i) V_j with V_j = sum_k E_kj c_k;
        // both weights carry 1/(tau N) through `scale`.
        var spread = [Float](repeating: 0, count: k * d)
        expGram.withUnsafeBufferPointer { pe in
            c.withUnsafeBufferPointer { pc in
                spread.withUnsafeMutableBufferPointer { ps in
                    BLAS.sgemm(transA: true, transB: false, m: k, n: d, k: k, a: pe.baseAddress!, lda: k,
                               b: pc.baseAddress!, ldb: d, c: ps.baseAddress!, ldc: d)
                }
            }
        }
        // Members of every centroid in ascending sample order (counting sort), so sums do not
        // depend on the thread count.
        var memberStart = [Int](repeating: 0, count: k + 1)
        for o in owner { memberStart[Int(o) + 1] += 1 }
        for j in 0..<k { memberStart[j + 1] += memberStart[j] }
        var fill = memberStart
        var members = [Int](repeating: 0, count: n)
        for i in 0..<n { let j = Int(owner[i]); members[fill[j]] = i; fill[j] += 1 }

        let shared = UncheckedSendable((c, radius, spread, memberStart, members, featureWeight, spreadWeight, features, gradient))
        Parallel.forRanges(k, costPerItem: max(1, n / max(k, 1)) * d) { range in
            let (c, radius, spread, memberStart, members, featureWeight, spreadWeight, features, gradient) = shared.value
            var acc = [Float](repeating: 0, count: d)
            for j in range {
                for t in 0..<d { acc[t] = 0 }
                var spreadTotal = 0.0
                for idx in memberStart[j]..<memberStart[j + 1] {
                    let i = members[idx]
                    let w = featureWeight[i]
                    let f = features + i * d
                    for t in 0..<d { acc[t] += w * f[t] }
                    spreadTotal += spreadWeight[i]
                }
                let u = Float(spreadTotal)
                var dot: Float = 0
                for t in 0..<d {
                    acc[t] += u * spread[j * d + t]
                    dot += acc[t] * c[j * d + t]
                }
                // Through the normalisation: (I - c c^T) g / |theta|.
                let g = gradient + j * d
                let inv = 1 / radius[j]
                for t in 0..<d { g[t] = (acc[t] - dot * c[j * d + t]) * inv }
            }
        }
        return loss
    }
}
