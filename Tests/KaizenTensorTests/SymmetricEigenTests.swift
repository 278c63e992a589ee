import Testing
@testable import KaizenTensor

@Suite struct SymmetricEigenTests {
    @Test func reconstructsMatrix() throws {
        let n = 4
        var rng = RandomGenerator(seed: 2)
        let b = (0..<(n * n)).map { _ in rng.nextNormal() }
        var m = [Double](repeating: 0, count: n * n)  // B B^T is symmetric positive semi-definite
        for i in 0..<n { for j in 0..<n { for k in 0..<n { m[i * n + j] += b[i * n + k] * b[j * n + k] } } }
        let (values, vectors) = try SymmetricEigen.decompose(m, n: n)
        #expect(values == values.sorted(by: >))
        for i in 0..<n { for j in 0..<n {
            var s = 0.0
            for k in 0..<n { s += values[k] * vectors[k * n + i] * vectors[k * n + j] }
            #expect(Swift.abs(s - m[i * n + j]) < 1e-9)
        } }
    }
}
