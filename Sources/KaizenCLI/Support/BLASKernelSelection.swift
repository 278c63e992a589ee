import Foundation
import Kaizen

/// Runs `kaizen` on the best OpenBLAS kernels the CPU supports. OpenBLAS reads OPENBLAS_CORETYPE
/// only when it loads, before `main`, so when it fell back to an older kernel family than the CPU
/// supports (`BLASCore.recommendation`), the process sets the variable and replaces itself with a
/// fresh copy of the same command. The variable is then set, so this happens at most once; a
/// value the user set is never overridden, and if exec fails the command runs as it is.
enum BLASKernelSelection {
    static func reexecuteIfBetterKernelsExist() {
        // Cheap checks first: most runs have the variable set or good kernels, and skip /proc/cpuinfo.
        let current = BLASCore.name
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, BLASCore.tier(of: current) < 1,
              let core = BLASCore.recommendation(current: current, flags: BLASCore.cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // Only reached when exec failed: keep going on the kernels already loaded.
        for p in argv { free(p) }
    }
}
