#if !canImport(Accelerate)
import CBLAS
#endif
import Foundation

/// Which OpenBLAS kernels run. OpenBLAS (DYNAMIC_ARCH builds such as Debian's) picks its kernels
/// once, when the library loads, from the CPU model; a CPU newer than the library gets a generic
/// fallback: OpenBLAS 0.3.21 runs the SSE3 Prescott kernels on a 2023 Xeon (model 207), where
/// sgemm runs at a fifth of the speed of its SkylakeX (AVX-512) kernels. The only remedy is the environment
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

    /// The OpenBLAS core type to request for a CPU with `flags` when OpenBLAS fell back to an older
    /// family (`current`), or nil when its choice stands: SkylakeX kernels on AVX-512 CPUs, Haswell
    /// kernels on AVX2 + FMA ones. A choice OpenBLAS made itself (Haswell, Zen, ...) is kept.
    /// (Until 2026-12-01 this chose Haswell on AVX-512 CPUs too, because the demo's plain
    /// fine-tuning reached 31% with SkylakeX kernels against 74%. That was not the kernels: sgemm
    /// agrees with a double-precision reference on 3,488 products with both, and FT at the demo's
    /// learning rate lands anywhere between 62% and 74% with either, from rounding alone.)
    public static func recommendation(current: String, flags: Set<String>) -> String? {
        guard tier(of: current) == 0 else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// 2 for AVX-512 kernel families, 1 for AVX2 ones, 0 for everything older or unknown.
    public static func tier(of core: String) -> Int {
        let name = core.lowercased()
        if ["skylakex", "cooperlake", "sapphirerapids"].contains(name) { return 2 }
        if ["haswell", "zen", "skylake", "excavator", "steamroller"].contains(name) { return 1 }
        return 0
    }
}
