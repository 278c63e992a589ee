/// The selection baselines of the BiLAF/ActiveFT papers: random, k-means (sample nearest each centroid)
/// and k-center greedy (the coreset / FDS baseline). Each returns exactly `budget` distinct ids.
public enum Baselines {
    /// `budget` distinct ids drawn uniformly with `seed`, ascending.
    public static func random(poolSize n: Int, budget: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        var ids = Array(0..<n)
        // Partial Fisher-Yates: only the first `budget` slots are drawn.
        for i in 0..<min(budget, n) { ids.swapAt(i, i + rng.nextInt(below: n - i)) }
        return ids.prefix(budget).sorted()
    }

    /// Farthest-first traversal from a seeded random start; ids in pick order.
    public static func kCenterGreedy(features: Tensor, budget: Int, seed: UInt64,
                                     progress: ProgressHandler? = nil) -> [Int] {
        let x = features.contiguousValues()
        let n = x.shape[0], d = x.shape[1], px = UnsafePointer(x.basePointer)
        guard budget > 0, n > 0 else { return [] }
        var rng = RandomGenerator(seed: seed)
        var picked = [Bool](repeating: false, count: n)
        var order = [rng.nextInt(below: n)]
        picked[order[0]] = true
        var nearest = [Float](repeating: .infinity, count: n)
        while true {
            lowerNearest(&nearest, px: px, n: n, d: d, center: order[order.count - 1])
            progress?(order.count, budget)
            if order.count >= min(budget, n) { break }
            var best = -1
            for i in 0..<n where !picked[i] && (best < 0 || nearest[i] > nearest[best]) { best = i }
            picked[best] = true
            order.append(best)
        }
        return order
    }

    /// k-means with k-means++ seeding and Lloyd iterations until the inertia improves by less than
    /// `tolerance` (relative) or `maxIterations`; then the sample nearest each centroid, distinct, in
    /// centroid order.
    public static func kMeans(features: Tensor, budget: Int, seed: UInt64, maxIterations: Int = 50,
                              tolerance: Double = 1e-4, progress: ProgressHandler? = nil) -> [Int] {
        let x = features.contiguousValues()
        let n = x.shape[0], d = x.shape[1], px = UnsafePointer(x.basePointer)
        let k = min(budget, n)
        guard k > 0 else { return [] }
        var rng = RandomGenerator(seed: seed)
        // k-means++ seeding.
        var centerIds = [rng.nextInt(below: n)]
        var nearest = [Float](repeating: .infinity, count: n)
        while centerIds.count < k {
            lowerNearest(&nearest, px: px, n: n, d: d, center: centerIds[centerIds.count - 1])
            var total = 0.0
            for v in nearest { total += Double(v) }
            var next = -1
            if total > 0 {
                let target = rng.nextDouble() * total
                var running = 0.0
                for i in 0..<n {
                    running += Double(nearest[i])
                    if running > target && nearest[i] > 0 { next = i; break }
                }
                if next < 0 { next = (0..<n).last { nearest[$0] > 0 } ?? -1 }
            }
            if next < 0 {
                // Every sample coincides with a centre: any unused id will do.
                let used = Set(centerIds)
                next = (0..<n).first { !used.contains($0) } ?? 0
            }
            centerIds.append(next)
        }
        var centroids = [Float](repeating: 0, count: k * d)
        for (j, id) in centerIds.enumerated() { for t in 0..<d { centroids[j * d + t] = px[id * d + t] } }

        var previous = Double.infinity
        for iteration in 0..<maxIterations {
            let (owner, inertia) = nearestCentroid(px: px, n: n, d: d, centroids: centroids, k: k)
            progress?(iteration + 1, maxIterations)
            updateMeans(&centroids, owner: owner, px: px, n: n, d: d, k: k)
            if previous.isFinite && previous - inertia <= tolerance * max(previous, 1e-30) { break }
            previous = inertia
        }
        let bias = (0..<n).map { -0.5 * Kernels.dot(px + $0 * d, px + $0 * d, d) }
        return centroids.withUnsafeBufferPointer {
            GreedyUniqueMapping.assign(points: px, n: n, d: d, centroids: $0.address, k: k, bias: bias)
        }
    }

    /// nearest[i] = min(nearest[i], |x_i - x_center|^2).
    static func lowerNearest(_ nearest: inout [Float], px: UnsafePointer<Float>, n: Int, d: Int, center: Int) {
        nearest.withUnsafeMutableBufferPointer { buf in
            let box = UncheckedSendable(buf)
            Parallel.forRanges(n, costPerItem: d) { range in
                let out = box.value
                let c = px + center * d
                for i in range {
                    let row = px + i * d
                    var s: Float = 0
                    for t in 0..<d { let v = row[t] - c[t]; s += v * v }
                    if s < out[i] { out[i] = s }
                }
            }
        }
    }

    /// Nearest centroid of every sample (streamed sgemm) and the inertia.
    static func nearestCentroid(px: UnsafePointer<Float>, n: Int, d: Int, centroids: [Float], k: Int) -> ([Int32], Double) {
        var owner = [Int32](repeating: 0, count: n)
        var best = [Float](repeating: 0, count: n)
        let centroidNorms = centroids.withUnsafeBufferPointer { p in (0..<k).map { Kernels.dot(p.address + $0 * d, p.address + $0 * d, d) } }
        let rowsPerBlock = max(1, min(4096, n))
        var block = [Float](repeating: 0, count: rowsPerBlock * k)
        var start = 0
        while start < n {
            let rows = min(rowsPerBlock, n - start)
            centroids.withUnsafeBufferPointer { pc in
                block.withUnsafeMutableBufferPointer { pb in
                    BLAS.sgemm(transA: false, transB: true, m: rows, n: k, k: d, alpha: -2, a: px + start * d, lda: d,
                               b: pc.address, ldb: d, c: pb.address, ldc: k)
                }
            }
            let box = UncheckedSendable(block)
            owner.withUnsafeMutableBufferPointer { po in
                best.withUnsafeMutableBufferPointer { pbest in
                    let out = UncheckedSendable((po, pbest))
                    Parallel.forRanges(rows, costPerItem: k) { range in
                        let (po, pbest) = out.value
                        for r in range {
                            var j0 = 0
                            var v0 = box.value[r * k] + centroidNorms[0]
                            for j in 1..<max(1, k) {
                                let v = box.value[r * k + j] + centroidNorms[j]
                                if v < v0 { v0 = v; j0 = j }
                            }
                            po[start + r] = Int32(j0)
                            pbest[start + r] = max(0, v0 + Kernels.dot(px + (start + r) * d, px + (start + r) * d, d))
                        }
                    }
                }
            }
            start += rows
        }
        var inertia = 0.0
        for v in best { inertia += Double(v) }
        return (owner, inertia)
    }

    /// Centroids become the means of their members (Double sums in ascending sample order); empty
    /// clusters keep their centroid.
    static func updateMeans(_ centroids: inout [Float], owner: [Int32], px: UnsafePointer<Float>, n: Int, d: Int, k: Int) {
        var memberStart = [Int](repeating: 0, count: k + 1)
        for o in owner { memberStart[Int(o) + 1] += 1 }
        for j in 0..<k { memberStart[j + 1] += memberStart[j] }
        var fill = memberStart
        var members = [Int](repeating: 0, count: n)
        for i in 0..<n { let j = Int(owner[i]); members[fill[j]] = i; fill[j] += 1 }
        centroids.withUnsafeMutableBufferPointer { buf in
            let box = UncheckedSendable((buf, memberStart, members))
            Parallel.forRanges(k, costPerItem: max(1, n / k) * d) { range in
                let (out, memberStart, members) = box.value
                var acc = [Double](repeating: 0, count: d)
                for j in range where memberStart[j + 1] > memberStart[j] {
                    for t in 0..<d { acc[t] = 0 }
                    for idx in memberStart[j]..<memberStart[j + 1] {
                        let row = px + members[idx] * d
                        for t in 0..<d { acc[t] += Double(row[t]) }
                    }
                    let inv = 1 / Double(memberStart[j + 1] - memberStart[j])
                    for t in 0..<d { out[j * d + t] = Float(acc[t] * inv) }
                }
            }
        }
    }
}
