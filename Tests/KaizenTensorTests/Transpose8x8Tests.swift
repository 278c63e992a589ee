import Testing
@testable import KaizenTensor

@Suite struct Transpose8x8Tests {
    /// Strided rows in, strided transposed rows out; elements outside the block stay untouched.
    @Test func copiesTheTransposeBetweenStridedRows() {
        let src = (0..<(8 * 11)).map { Float($0) }
        var dst = [Float](repeating: -1, count: 8 * 13)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                Transpose8x8.copy(from: s.baseAddress! + 2, srcStride: 11, to: d.baseAddress! + 3, dstStride: 13)
            }
        }
        for r in 0..<8 { for c in 0..<8 { #expect(dst[3 + c * 13 + r] == src[2 + r * 11 + c]) } }
        #expect(dst.filter { $0 == -1 }.count == 8 * 13 - 64)
    }
}
