import Testing
@testable import KaizenTensor
@Test func placeholder() { #expect(Tensor.zeros([2]).count == 2) }
