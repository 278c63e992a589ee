/// Stage 2, step C: sharing the budget among pseudo-classes.
enum BudgetSplit {
    /// The official rule: b_i = floor(B * n_i / sum n), then single leftover units to the cluster with the
    /// smallest current b (ties: larger n, then lower index). Proportions are computed as the official
    /// code does (Double), so the floors agree bit for bit.
    static func proportional(_ budget: Int, sizes: [Int]) -> [Int] {
        let total = Double(sizes.reduce(0, +))
        guard total > 0 else { return sizes.map { _ in 0 } }
        let proportions = sizes.map { Double($0) / total }
        var allocation = proportions.map { Int(($0 * Double(budget)).rounded(.down)) }
        var remaining = budget - allocation.reduce(0, +)
        while remaining > 0 {
            var current = 0
            for i in allocation.indices
            where allocation[i] < allocation[current]
                || (allocation[i] == allocation[current] && proportions[i] > proportions[current]) {
                current = i
            }
            allocation[current] += 1
            remaining -= 1
        }
        return allocation
    }

    /// Safe-mode split: one slot per cluster for its core, B - K shared in proportion to the other
    /// members (n_i - 1), capped at n_i - 1 with the excess shared again among clusters with room.
    /// Throws when B < K or when the kept members cannot absorb B.
    static func safe(_ budget: Int, sizes: [Int]) throws(KaizenError) -> [Int] {
        let k = sizes.count
        guard budget >= k else {
            throw .invalidArgument(name: "--budget", detail: "\(budget) is smaller than the \(k) cores, which are always selected; raise the budget or use fewer cores")
        }
        let capacity = sizes.map { max(0, $0 - 1) }
        let totalCapacity = capacity.reduce(0, +)
        guard budget - k <= totalCapacity else {
            throw .invalidArgument(name: "--budget", detail: "\(budget) exceeds the \(totalCapacity + k) samples kept after denoising; lower the budget")
        }
        var extra = [Int](repeating: 0, count: k)
        var remaining = budget - k
        while remaining > 0 {
            let open = (0..<k).filter { extra[$0] < capacity[$0] }
            let shares = proportional(remaining, sizes: open.map { capacity[$0] })
            remaining = 0
            for (slot, i) in open.enumerated() {
                let room = capacity[i] - extra[i]
                let granted = min(room, shares[slot])
                extra[i] += granted
                remaining += shares[slot] - granted
            }
        }
        return extra.map { $0 + 1 }
    }
}
