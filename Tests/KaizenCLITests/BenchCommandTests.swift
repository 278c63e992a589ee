import Foundation
import Testing

@Suite struct BenchCommandTests {
    @Test func matmulPrintsOneJSONObject() throws {
        let r = try CLIRunner.run(["bench", "matmul", "--size", "32", "--threads", "1", "--json"])
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((obj?["gflops"] as? Double ?? 0) > 0)
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
