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
                BLAS.sgemm(transA: false, transB: true, m: k, n: k, k: d, a: pc.address, lda: d,
                           b: pc.address, ldb: d, c: pg.address, ldc: k)
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

        let scale = 1 / (tau * Double(n))
        var term = [Double](repeating: 0, count: n)
        // dL/dc_j = sum_{i: p(i)=j} w_i f_i + (sum_{i: p(i)=j} u_i) V_j with V_j = sum_k E_kj c_k;
        // both weights carry 1/(tau N) through `scale`.
        var featureSum = [Float](repeating: 0, count: k * d)
        var spreadTotal = [Double](repeating: 0, count: k)

        if assignment.canPrune(k: k) {
            // One pass per centroid over its previous members: check the bound with the exact own
            // similarity and, for rows that provably keep their centroid, add their contribution
            // while the row is in cache. Only the others are recomputed and added afterwards.
            let (move1, move2, mover) = assignment.moves(c: c, k: k)
            let (memberStart, members) = ActiveFTObjective.membersByCentroid(assignment.owner, k: k)
            var keep = [Bool](repeating: false, count: n)
            let shared = UncheckedSendable((c, columnSum, memberStart, members, features, d, tau, scale))
            term.withUnsafeMutableBufferPointer { pt in
                featureSum.withUnsafeMutableBufferPointer { pf in
                    spreadTotal.withUnsafeMutableBufferPointer { psp in
                        keep.withUnsafeMutableBufferPointer { pk in
                            assignment.best.withUnsafeMutableBufferPointer { pb in
                                assignment.secondBound.withUnsafeMutableBufferPointer { ps in
                                    let out = UncheckedSendable((pt, pf, psp, pk, pb, ps))
                                    Parallel.forRanges(k, costPerItem: max(1, n / max(k, 1)) * d) { range in
                                        let (c, columnSum, memberStart, members, features, d, tau, scale) = shared.value
                                        let (pt, pf, psp, pk, pb, ps) = out.value
                                        c.withUnsafeBufferPointer { pc in
                                            for j in range {
                                                let cj = pc.address + j * d, acc = pf.address + j * d
                                                let move = j == mover ? move2 : move1
                                                var spread = 0.0
                                                for idx in memberStart[j]..<memberStart[j + 1] {
                                                    let i = members[idx]
                                                    let f = features + i * d
                                                    let a = Kernels.dot(f, cj, d)
                                                    let bound = ps[i] + move
                                                    ps[i] = bound
                                                    pb[i] = a
                                                    guard a >= bound + ActiveFTAssignment.margin else { continue }
                                                    pk[i] = true
                                                    let (t, w, u) = ActiveFTObjective.contribution(a: a, columnSum: columnSum[j], tau: tau, scale: scale)
                                                    pt[i] = t
                                                    for x in 0..<d { acc[x] += w * f[x] }
                                                    spread += u
                                                }
                                                psp[j] = spread
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var stale: [Int] = []
            for i in 0..<n where !keep[i] { stale.append(i) }
            assignment.update(rows: stale, c: c, k: k)
            for i in stale {
                let j = Int(assignment.owner[i])
                let (t, w, u) = ActiveFTObjective.contribution(a: assignment.best[i], columnSum: columnSum[j], tau: tau, scale: scale)
                term[i] = t
                spreadTotal[j] += u
                let f = features + i * d
                for x in 0..<d { featureSum[j * d + x] += w * f[x] }
            }
        } else {
            assignment.update(rows: nil, c: c, k: k)
            let (memberStart, members) = ActiveFTObjective.membersByCentroid(assignment.owner, k: k)
            let shared = UncheckedSendable((columnSum, memberStart, members, features, d, tau, scale, assignment.best))
            term.withUnsafeMutableBufferPointer { pt in
                featureSum.withUnsafeMutableBufferPointer { pf in
                    spreadTotal.withUnsafeMutableBufferPointer { psp in
                        let out = UncheckedSendable((pt, pf, psp))
                        Parallel.forRanges(k, costPerItem: max(1, n / max(k, 1)) * d) { range in
                            let (columnSum, memberStart, members, features, d, tau, scale, best) = shared.value
                            let (pt, pf, psp) = out.value
                            for j in range {
                                let acc = pf.address + j * d
                                var spread = 0.0
                                for idx in memberStart[j]..<memberStart[j + 1] {
                                    let i = members[idx]
                                    let (t, w, u) = ActiveFTObjective.contribution(a: best[i], columnSum: columnSum[j], tau: tau, scale: scale)
                                    pt[i] = t
                                    let f = features + i * d
                                    for x in 0..<d { acc[x] += w * f[x] }
                                    spread += u
                                }
                                psp[j] = spread
                            }
                        }
                    }
                }
            }
        }
        var loss = 0.0
        for v in term { loss += v }
        loss /= Double(n)
        guard let gradient else { return loss }

        var spread = [Float](repeating: 0, count: k * d)
        expGram.withUnsafeBufferPointer { pe in
            c.withUnsafeBufferPointer { pc in
                spread.withUnsafeMutableBufferPointer { ps in
                    BLAS.sgemm(transA: true, transB: false, m: k, n: d, k: k, a: pe.address, lda: k,
                               b: pc.address, ldb: d, c: ps.address, ldc: d)
                }
            }
        }
        for j in 0..<k {
            let u = Float(spreadTotal[j])
            var dot: Float = 0
            for t in 0..<d {
                let g = featureSum[j * d + t] + u * spread[j * d + t]
                featureSum[j * d + t] = g
                dot += g * c[j * d + t]
            }
            // Through the normalisation: (I - c c^T) g / |theta|.
            let inv = 1 / radius[j]
            for t in 0..<d { gradient[j * d + t] = (featureSum[j * d + t] - dot * c[j * d + t]) * inv }
        }
        return loss
    }

    /// Loss term log(1 + S e^-a), feature weight w = -(S e^-a / (1 + S e^-a)) / (tau N) and spread
    /// weight u = e^-a / (1 + S e^-a) / (tau N) of one sample with cosine `a` to its centroid.
    @inline(__always)
    static func contribution(a cosine: Float, columnSum: Double, tau: Double, scale: Double) -> (Double, Float, Double) {
        let a = Double(cosine) / tau
        let e = Foundation.exp(-a)
        let q = columnSum * e
        return (Foundation.log1p(q), Float(-(q / (1 + q)) * scale), e / (1 + q) * scale)
    }

    /// Samples grouped by centroid, ascending within each group (counting sort).
    static func membersByCentroid(_ owner: [Int32], k: Int) -> (start: [Int], members: [Int]) {
        var memberStart = [Int](repeating: 0, count: k + 1)
        for o in owner { memberStart[Int(o) + 1] += 1 }
        for j in 0..<k { memberStart[j + 1] += memberStart[j] }
        var fill = memberStart
        var members = [Int](repeating: 0, count: owner.count)
        for i in owner.indices { let j = Int(owner[i]); members[fill[j]] = i; fill[j] += 1 }
        return (memberStart, members)
    }
}
