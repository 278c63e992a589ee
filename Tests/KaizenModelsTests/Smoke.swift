import Testing
@testable import KaizenModels
@Test func placeholder() { #expect(Bool(true)) }
