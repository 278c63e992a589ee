/// Stage 2, step B: Iterative Density-based Clustering (IDC) of one pseudo-class, as the official code
/// does it. Rings of m = max(1, floor(P_in n)) members grow from the core; each new ring takes the m
/// outside members with the smallest mean distance to their k nearest members already inside. The
/// n - m floor(n/m) members left over never join, and the last P_rm share of the insertion order is
/// dropped. Clusters with fewer than 10 members are kept whole.
struct DensityDenoising: Sendable {
    var estimate: BiLAF.DensityEstimate = .official
    var neighbours = 10
    var ringShare = 0.1
    var removeShare = 0.1

    /// Kept member positions in insertion order. `distances` is the [n, n] member distance matrix.
    func keptPositions(distances: UnsafePointer<Double>, n: Int, corePosition: Int) -> [Int] {
        if n < 10 { return Array(0..<n) }
        // Same Double expressions as the official code, so the truncations agree.
        let m = max(1, Int(Double(n) * ringShare))
        let coreRow = distances + corePosition * n
        var order = Array(0..<n)
        order.sort { coreRow[$0] != coreRow[$1] ? coreRow[$0] < coreRow[$1] : $0 < $1 }
        var inserted = Array(order.prefix(m))
        var added = [Bool](repeating: false, count: n)
        for p in inserted { added[p] = true }

        // For every outside member, its up-to-k smallest distances to the inside set, ascending, and
        // where those neighbours sit in the insertion order (the official estimate reads D[j][slot]).
        let k = max(1, neighbours)
        var nearest = [Double](repeating: 0, count: n * k)
        var nearestSlot = [Int](repeating: 0, count: n * k)
        var nearestCount = [Int](repeating: 0, count: n)
        func absorb(_ newMembers: ArraySlice<Int>) {
            nearest.withUnsafeMutableBufferPointer { buf in
                nearestSlot.withUnsafeMutableBufferPointer { slotBuf in
                    let base = buf.address, slotBase = slotBuf.address
                    for j in 0..<n where !added[j] {
                        let row = distances + j * n
                        let list = base + j * k, slots = slotBase + j * k
                        var count = nearestCount[j]
                        for (slot, u) in zip(newMembers.indices, newMembers) {
                            let v = row[u]
                            // Later slots lose ties, as in a stable argsort.
                            if count == k && v >= list[k - 1] { continue }
                            var pos = count == k ? k - 1 : count
                            while pos > 0 && list[pos - 1] > v {
                                list[pos] = list[pos - 1]; slots[pos] = slots[pos - 1]; pos -= 1
                            }
                            list[pos] = v
                            slots[pos] = slot
                            if count < k { count += 1 }
                        }
                        nearestCount[j] = count
                    }
                }
            }
        }
        absorb(inserted[...])

        let rounds = n / m
        if rounds >= 2 {
            for _ in 2...rounds {
                var candidates: [(rho: Double, position: Int)] = []
                candidates.reserveCapacity(n - inserted.count)
                for j in 0..<n where !added[j] {
                    var s = 0.0
                    let c = nearestCount[j]
                    switch estimate {
                    case .nearest: for t in 0..<c { s += nearest[j * k + t] }
                    case .official: for t in 0..<c { s += distances[j * n + nearestSlot[j * k + t]] }
                    }
                    candidates.append((s / Double(c), j))
                }
                if candidates.isEmpty { break }
                candidates.sort { $0.rho != $1.rho ? $0.rho < $1.rho : $0.position < $1.position }
                let ring = candidates.prefix(m).map(\.position)
                for p in ring { added[p] = true }
                let start = inserted.count
                inserted.append(contentsOf: ring)
                absorb(inserted[start...])
            }
        }
        let keep = Int(Double(inserted.count) * (1 - removeShare))
        return Array(inserted.prefix(keep))
    }

    /// The kept size the rule implies: floor(m floor(n/m) (1 - P_rm)) for n >= 10, else n.
    func keptCount(n: Int) -> Int {
        if n < 10 { return n }
        let m = max(1, Int(Double(n) * ringShare))
        return Int(Double(m * (n / m)) * (1 - removeShare))
    }
}
