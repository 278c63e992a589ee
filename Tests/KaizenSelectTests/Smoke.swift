import Testing
@testable import KaizenSelect
@Test func placeholder() { #expect(Bool(true)) }
