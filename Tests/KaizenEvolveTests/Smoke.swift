import Testing
@testable import KaizenEvolve
@Test func placeholder() { #expect(Bool(true)) }
