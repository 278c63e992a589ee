import Foundation
import Testing
import Kaizen

@Suite struct BenchCommandTests {
    @Test func matmulPrintsOneJSONObject() throws {
        let r = try CLIRunner.run(["bench", "matmul", "--size", "32", "--threads", "1", "--json"])
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((obj?["gflops"] as? Double ?? 0) > 0)
    }

    /// Without OPENBLAS_CORETYPE, kaizen runs on kernels at least as good as the CPU's flags call
    /// for (it re-executes itself when OpenBLAS fell back); a value the user sets is kept.
    @Test func runsOnTheBestOpenBLASKernelsUnlessTold() throws {
        func core(_ env: [String: String?]) throws -> String {
            let r = try CLIRunner.run(["bench", "matmul", "--size", "16", "--threads", "1", "--json"], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return try #require(obj?["blas_core"] as? String)
        }
        let chosen = try core(["OPENBLAS_CORETYPE": nil])
        if let wanted = BLASCore.recommendation(current: "Prescott", flags: BLASCore.cpuFlags()) {
            #expect(BLASCore.tier(of: chosen) >= BLASCore.tier(of: wanted), "ran on \(chosen), the CPU supports \(wanted)")
        }
        #expect(try core(["OPENBLAS_CORETYPE": "Prescott"]) == "Prescott")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let bad = try CLIRunner.run(["bench", "matmul", "--size", "0"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--size"))
        #expect(try CLIRunner.run(["bench", "matmul", "--threads", "0"]).status == 2)
        #expect(try CLIRunner.run(["no-such-command"]).status == 2)
        #expect(try CLIRunner.run(["--help"]).status == 0)
    }
}
