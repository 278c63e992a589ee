import KaizenTensor
import KaizenNN

/// Checkpointing of FTP: the base optimiser's entries (`<index>.<name>`, see `Optimizer`) plus FTP's
/// own under the `ftp.` prefix: `ftp.step` (the global t) and, per constrained parameter at position
/// `index` of `parameters`, `ftp.<index>.anchor`, `.radius`, `.radius_exp_avg`, `.radius_exp_avg_sq`,
/// `.previous_deviation` and `.previous_inverse_norms`. The anchor is saved because a resumed run
/// loads fine-tuned weights, from which W0 can no longer be recovered.
extension TrainableProjection {
    static let prefix = "ftp."

    /// Base and FTP state as named tensor snapshots.
    public func stateEntries() -> [(String, Tensor)] {
        var out = base.stateEntries()
        out.append(("\(Self.prefix)step", Tensor(scalar: Float(globalStep))))
        for (i, p) in parameters.enumerated() {
            guard !isExcluded(p), let s = projectionState[ObjectIdentifier(p)] else { continue }
            let key = "\(Self.prefix)\(i)."
            out.append((key + "anchor", s.anchor.copied()))
            out.append((key + "radius", Tensor(scalar: s.radius)))
            out.append((key + "radius_exp_avg", Tensor(scalar: s.radiusMean)))
            out.append((key + "radius_exp_avg_sq", Tensor(scalar: s.radiusSquaredMean)))
            if let c = s.previousDeviation, let inverse = s.previousInverseNorms,
               let norms = try? Tensor(shape: [inverse.count], values: inverse) {
                out.append((key + "previous_deviation", c.copied()))
                out.append((key + "previous_inverse_norms", norms))
            }
        }
        return out
    }

    /// Restores state written by `stateEntries()` for the same parameter list (same order). Keys
    /// without the `ftp.` prefix go to the base optimiser. Unknown keys, indices or shapes throw,
    /// naming the key; the current state is unchanged when anything is wrong.
    public func loadStateEntries(_ entries: [String: Tensor]) throws {
        var baseEntries: [String: Tensor] = [:]
        var restored: [ObjectIdentifier: FTPParameterState] = [:]
        var step = globalStep
        for key in entries.keys.sorted() {
            guard let t = entries[key] else { continue }
            guard key.hasPrefix(Self.prefix) else { baseEntries[key] = t; continue }
            let rest = String(key.dropFirst(Self.prefix.count))
            if rest == "step" {
                let value = try t.item()
                guard value >= 1, value.rounded() == value else {
                    throw KaizenError.tensorName(name: key, reason: "FTP step must be a whole number >= 1, got \(value)")
                }
                step = Int(value)
                continue
            }
            let parts = rest.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let index = Int(parts[0]), parameters.indices.contains(index) else {
                throw KaizenError.tensorName(name: key, reason: "not an FTP state key for \(parameters.count) parameters (expected 'ftp.<index>.<name>')")
            }
            let p = parameters[index]
            guard !isExcluded(p) else {
                throw KaizenError.tensorName(name: key, reason: "parameter \(index) is excluded from FTP and has no FTP state")
            }
            let id = ObjectIdentifier(p)
            var s = restored[id] ?? projectionState[id] ?? FTPParameterState(anchor: p.value.copied(), radius: configuration.initialRadius)
            let rows = RowLayout(shape: p.shape).rows
            func requireShape(_ shape: [Int]) throws {
                guard t.shape == shape else {
                    throw KaizenError.tensorName(name: key, reason: "expected shape \(Shape.describe(shape)), got \(Shape.describe(t.shape))")
                }
            }
            switch parts[1] {
            case "anchor": try requireShape(p.shape); s.anchor = t.copied()
            case "radius": s.radius = try t.item()
            case "radius_exp_avg": s.radiusMean = try t.item()
            case "radius_exp_avg_sq": s.radiusSquaredMean = try t.item()
            case "previous_deviation": try requireShape(p.shape); s.previousDeviation = t.copied()
            case "previous_inverse_norms": try requireShape([rows]); s.previousInverseNorms = t.scalars
            default:
                throw KaizenError.tensorName(name: key, reason: "unknown FTP state name '\(parts[1])'")
            }
            restored[id] = s
        }
        for (id, s) in restored where (s.previousDeviation == nil) != (s.previousInverseNorms == nil) {
            let index = parameters.firstIndex { ObjectIdentifier($0) == id } ?? -1
            throw KaizenError.tensorName(name: "\(Self.prefix)\(index).previous_deviation",
                                         reason: "previous_deviation and previous_inverse_norms must be saved together")
        }
        try base.loadStateEntries(baseEntries)
        for (id, s) in restored { projectionState[id] = s }
        globalStep = step
    }
}
