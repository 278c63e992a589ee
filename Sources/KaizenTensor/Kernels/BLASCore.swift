#if !canImport(Accelerate)
import CBLAS
#endif
import Foundation

/// Which OpenBLAS kernels run. OpenBLAS (DYNAMIC_ARCH builds such as Debian's) picks its kernels
/// once, when the library loads, from the CPU model; a CPU newer than the library gets a generic
/// fallback: OpenBLAS 0.3.21 runs the SSE3 Prescott kernels on a 2023 Xeon (model 207), where
/// sgemm runs at a half to a third of the speed of its Haswell (AVX2) kernels. The only remedy is the environment
/// variable OPENBLAS_CORETYPE, read at load time, so `kaizen` re-executes itself with it set when
/// the detected core is older than the CPU (see `recommendation`). A value the user sets wins.
public enum BLASCore {
    /// The kernel family OpenBLAS chose ("Prescott", "Haswell", "SkylakeX", ...).
    public static var name: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// CPU feature flags from /proc/cpuinfo (empty where it does not exist).
    public static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The OpenBLAS core type to request for a CPU with `flags` when OpenBLAS chose `current`, or
    /// nil when the choice is already as good: Haswell kernels (AVX2 + FMA) over an older family.
    /// Not SkylakeX on AVX-512 CPUs, though it is 2x faster again: with OpenBLAS 0.3.21's SkylakeX
    /// kernels our test suite passed but the demo's plain fine-tuning of EfficientNet-Lite0 reached
    /// 31% instead of 74% (Haswell kernels, and the generic ones, give 74%); cause not found.
    public static func recommendation(current: String, flags: Set<String>) -> String? {
        guard flags.contains("avx2") && flags.contains("fma") else { return nil }
        return tier(of: current) < 1 ? "Haswell" : nil
    }

    /// 2 for AVX-512 kernel families, 1 for AVX2 ones, 0 for everything older or unknown.
    public static func tier(of core: String) -> Int {
        let name = core.lowercased()
        if ["skylakex", "cooperlake", "sapphirerapids"].contains(name) { return 2 }
        if ["haswell", "zen", "skylake", "excavator", "steamroller"].contains(name) { return 1 }
        return 0
    }
}
