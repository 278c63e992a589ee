/// Maps centroids back to distinct real samples: for j = 0..K-1 in order, the best-scoring sample not
/// already taken, with score_ij = x_i . c_j + bias_i (bias 0 gives cosine on unit rows; bias
/// -|x_i|^2/2 ranks by Euclidean distance). Ties go to the lower sample id.
///
/// Equivalent to sorting every centroid's full row (the official code) but lazy: one streamed pass
/// keeps each centroid's top candidates, and only a centroid whose candidates were all taken rescans
/// its row.
enum GreedyUniqueMapping {
    static func assign(points: UnsafePointer<Float>, n: Int, d: Int, centroids: UnsafePointer<Float>, k: Int,
                       bias: [Float]?, candidatesPerCentroid: Int = 32, blockRows: Int = 4096) -> [Int] {
        let t = max(1, min(candidatesPerCentroid, n))
        var topScore = [Float](repeating: -.infinity, count: k * t)
        var topIndex = [Int](repeating: -1, count: k * t)
        let rowsPerBlock = max(1, min(blockRows, n))
        var block = [Float](repeating: 0, count: k * rowsPerBlock)
        var start = 0
        while start < n {
            let rows = min(rowsPerBlock, n - start)
            block.withUnsafeMutableBufferPointer { pb in
                BLAS.sgemm(transA: false, transB: true, m: k, n: rows, k: d, a: centroids, lda: d,
                           b: points + start * d, ldb: d, c: pb.address, ldc: rows)
            }
            let box = UncheckedSendable((block, bias))
            topScore.withUnsafeMutableBufferPointer { ps in
                topIndex.withUnsafeMutableBufferPointer { pi in
                    let out = UncheckedSendable((ps, pi))
                    Parallel.forRanges(k, costPerItem: rows) { range in
                        let (block, bias) = box.value
                        let (ps, pi) = out.value
                        for j in range {
                            for r in 0..<rows {
                                let score = block[j * rows + r] + (bias?[start + r] ?? 0)
                                // Later ids lose ties, so strict > keeps the lower id.
                                if score > ps[j * t + t - 1] || (pi[j * t + t - 1] < 0 && score == ps[j * t + t - 1]) {
                                    var pos = t - 1
                                    while pos > 0 && (score > ps[j * t + pos - 1] || pi[j * t + pos - 1] < 0) {
                                        ps[j * t + pos] = ps[j * t + pos - 1]; pi[j * t + pos] = pi[j * t + pos - 1]; pos -= 1
                                    }
                                    ps[j * t + pos] = score; pi[j * t + pos] = start + r
                                }
                            }
                        }
                    }
                }
            }
            start += rows
        }
        var taken = [Bool](repeating: false, count: n)
        var result: [Int] = []
        result.reserveCapacity(k)
        for j in 0..<k {
            var chosen = -1
            for s in 0..<t where topIndex[j * t + s] >= 0 && !taken[topIndex[j * t + s]] {
                chosen = topIndex[j * t + s]; break
            }
            if chosen < 0 {
                // All candidates taken: scan the whole row.
                var bestScore = -Float.infinity
                for i in 0..<n where !taken[i] {
                    let score = Kernels.dot(centroids + j * d, points + i * d, d) + (bias?[i] ?? 0)
                    if chosen < 0 || score > bestScore { chosen = i; bestScore = score }
                }
            }
            guard chosen >= 0 else { break }
            taken[chosen] = true
            result.append(chosen)
        }
        return result
    }
}
