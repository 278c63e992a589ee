/// A byte trie over vocabulary entries: the longest entry that prefixes a UTF-8 position is found
/// in one walk, which is what WordPiece's "longest substring first" search computes.
/// Entries are valid UTF-8 and words start at character boundaries, so every match ends on one.
struct VocabularyTrie: Sendable {
    /// Edges of node n are `edgeByte/edgeChild[edgeStart[n]..<edgeStart[n + 1]]`, sorted by byte.
    private let edgeStart: [Int32]
    private let edgeByte: [UInt8]
    private let edgeChild: [Int32]
    /// The id of the entry ending at a node, or -1.
    private let tokenID: [Int32]
    /// Children of the root by byte (the root has the most edges).
    private let rootChild: [Int32]

    /// `entries` in id order; a repeated entry keeps the last id.
    init(entries: [(bytes: [UInt8], id: Int)]) {
        var transitions: [Int: Int32] = [:]   // parent << 8 | byte -> child
        var ids: [Int32] = [-1]
        for (bytes, id) in entries {
            var node = 0
            for b in bytes {
                let key = node << 8 | Int(b)
                if let child = transitions[key] {
                    node = Int(child)
                } else {
                    let child = Int32(ids.count)
                    ids.append(-1)
                    transitions[key] = child
                    node = Int(child)
                }
            }
            ids[node] = Int32(id)
        }
        var edges = transitions.map { (parent: $0.key >> 8, byte: UInt8($0.key & 0xFF), child: $0.value) }
        edges.sort { ($0.parent, $0.byte) < ($1.parent, $1.byte) }
        var start = [Int32](repeating: 0, count: ids.count + 1)
        for e in edges { start[e.parent + 1] += 1 }
        for n in 0..<ids.count { start[n + 1] += start[n] }
        var root = [Int32](repeating: -1, count: 256)
        for e in edges where e.parent == 0 { root[Int(e.byte)] = e.child }
        edgeStart = start
        edgeByte = edges.map(\.byte)
        edgeChild = edges.map(\.child)
        tokenID = ids
        rootChild = root
    }

    /// The end and id of the longest entry equal to `bytes[from..<end]`, or nil when none is.
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> (end: Int, id: Int)? {
        guard from < bytes.count else { return nil }
        var node = Int(rootChild[Int(bytes[from])])
        var i = from + 1
        var best: (end: Int, id: Int)?
        while node >= 0 {
            if tokenID[node] >= 0 { best = (i, Int(tokenID[node])) }
            guard i < bytes.count else { break }
            let b = bytes[i]
            var next = -1
            var e = Int(edgeStart[node])
            let end = Int(edgeStart[node + 1])
            while e < end {
                let eb = edgeByte[e]
                if eb == b { next = Int(edgeChild[e]); break }
                if eb > b { break }
                e += 1
            }
            node = next
            i += 1
        }
        return best
    }
}
