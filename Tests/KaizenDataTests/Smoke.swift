import Testing
@testable import KaizenData
@Test func placeholder() { #expect(Bool(true)) }
