import Foundation
import Testing
@testable import KaizenGradFeatures

/// FUNGI's DINO and SimCLR losses against straightforward loops (spec fungi.md §4).
@Suite struct FUNGILossTests {
    static func rows(_ t: Tensor) -> [[Double]] {
        let d = t.shape.last ?? 1, v = t.contiguousValues().scalars.map(Double.init)
        return (0..<(v.count / d)).map { Array(v[($0 * d)..<(($0 + 1) * d)]) }
    }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func normalized(_ a: [Double]) -> [Double] { let n = dot(a, a).squareRoot(); return a.map { $0 / n } }
    static func apply(_ h: RandomLinearHead, _ x: [Double]) -> [Double] {
        let w = rows(h.weight), b = h.bias.scalars
        return w.indices.map { dot(w[$0], x) + Double(b[$0]) }
    }
    static func logSoftmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0, lse = m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
        return z.map { $0 - lse }
    }

    @Test func dinoMatchesLoopsAndStopsTeacherGradient() throws {
        var rng = RandomGenerator(seed: 3)
        let b = 2, v = 4, g = 2, d = 5
        let e = rng.normal([b, v, d])
        let teacher = RandomLinearHead(inputs: d, outputs: 7, seed: 1), student = RandomLinearHead(inputs: d, outputs: 7, seed: 2)
        let loss = try FUNGILosses.dino(views: e, globalViews: g, teacher: teacher, student: student, teacherTemperature: 0.07, studentTemperature: 0.1).scalars
        let views = Self.rows(e)
        for item in 0..<b {
            var reference = 0.0
            for c in 0..<g {
                let p = Self.logSoftmax(Self.apply(teacher, Self.normalized(views[item * v + c])).map { $0 / 0.07 }).map { Foundation.exp($0) }
                for c2 in 0..<v {
                    let q = Self.logSoftmax(Self.apply(student, Self.normalized(views[item * v + c2])).map { $0 / 0.1 })
                    reference -= Self.dot(p, q)
                }
            }
            #expect(Swift.abs(Double(loss[item]) - reference) < 1e-3 * Swift.max(1, Swift.abs(reference)), "item \(item): \(loss[item]) vs \(reference)")
        }
        // Gradient w.r.t. the local views (the teacher sees only the globals) by finite differences.
        let globals = try e.narrowed(axis: 1, start: 0, length: g).contiguous()
        let locals = try e.narrowed(axis: 1, start: g, length: v - g).contiguous()
        let report = try GradientCheck.run([locals]) {
            try FUNGILosses.dino(views: Tensor.concat([globals, $0[0]], axis: 1), globalViews: g, teacher: teacher, student: student,
                                 teacherTemperature: 0.07, studentTemperature: 0.1)
        }
        #expect(report.maxError < 2e-2, "\(report)")
    }

    @Test(arguments: [true, false]) func simclrMatchesLoops(temperatureInLogSumExp: Bool) throws {
        var rng = RandomGenerator(seed: 4)
        let b = 2, v = 3, d = 6, k = 4, tau: Float = 0.07
        let e = rng.normal([b, v, d])
        let head = RandomLinearHead(inputs: d, outputs: k, seed: 9)
        let negatives = try Functional.normalize(rng.normal([5, k]), axis: 1)
        let loss = try FUNGILosses.simclr(views: e, head: head, negatives: negatives, temperature: tau, temperatureInLogSumExp: temperatureInLogSumExp).scalars
        let views = Self.rows(e).map { Self.normalized(Self.apply(head, $0)) }, bank = Self.rows(negatives)
        let t = Double(tau), tLSE = temperatureInLogSumExp ? t : 1
        for item in 0..<b {
            var total = 0.0
            for i in 0..<v {
                let u = views[item * v + i]
                var positive = 0.0, sum = 0.0
                for j in 0..<v where j != i {
                    let s = Self.dot(u, views[item * v + j])
                    positive += s / t / Double(v - 1)
                    sum += Foundation.exp(s / tLSE)
                }
                for n in bank { sum += Foundation.exp(Self.dot(u, n) / tLSE) }
                total += -positive + Foundation.log(sum)
            }
            let reference = total / Double(v)
            #expect(Swift.abs(Double(loss[item]) - reference) < 1e-3 * Swift.max(1, Swift.abs(reference)), "item \(item): \(loss[item]) vs \(reference)")
        }
        let report = try GradientCheck.run([e]) {
            try FUNGILosses.simclr(views: $0[0], head: head, negatives: negatives, temperature: 0.5, temperatureInLogSumExp: temperatureInLogSumExp)
        }
        #expect(report.maxError < 2e-2, "\(report)")
    }

    @Test func headsAreSeededAndIndependentPerObjective() {
        let a = FUNGIHeads(embeddingDimension: 8, kl: KLObjectiveConfiguration(), dino: DINOObjectiveConfiguration(),
                           simclr: SimCLRObjectiveConfiguration(), objectives: [.kl, .simclr], seed: 1)
        let b = FUNGIHeads(embeddingDimension: 8, kl: KLObjectiveConfiguration(), dino: DINOObjectiveConfiguration(),
                           simclr: SimCLRObjectiveConfiguration(), objectives: [.kl, .dino, .simclr], seed: 1)
        #expect(a.kl.weight.scalars == b.kl.weight.scalars)
        #expect(a.simclr.weight.scalars == b.simclr.weight.scalars)
        #expect(a.dinoTeacher.weight.count == 0 && b.dinoTeacher.weight.shape == [2048, 8])
        #expect(b.dinoTeacher.weight.scalars != b.dinoStudent.weight.scalars)
        let bound = 1 / Float(8).squareRoot()
        #expect(b.kl.weight.scalars.allSatisfy { Swift.abs($0) <= bound })
    }

    @Test func objectiveListParsesInAnyOrder() throws {
        #expect(try FUNGIObjective.parseList("simclr,kl") == [.kl, .simclr])
        #expect(try FUNGIObjective.parseList("dino, SimCLR ,kl") == [.kl, .dino, .simclr])
        #expect(throws: KaizenError.self) { try FUNGIObjective.parseList("kl,kl") }
        #expect(throws: KaizenError.self) { try FUNGIObjective.parseList("kl,byol") }
    }

    @Test func viewGeometry() {
        // 224 px: 112-px windows at stride 18, a 7 x 7 grid.
        let w = ImageViews.patchWindows(height: 224, width: 224, grid: 7, fraction: 0.5)
        #expect(w.count == 49 && w.allSatisfy { $0.height == 112 && $0.width == 112 })
        #expect(w[1].left == 18 && w[7].top == 18 && w.last?.top == 108)
        var rng = RandomGenerator(seed: 1)
        let crops = ImageViews.dinoWindows(height: 64, width: 64, configuration: DINOObjectiveConfiguration(), rng: &rng)
        #expect(crops.count == 12)
        for (i, c) in crops.enumerated() {
            let area = Double(c.height * c.width) / 4096
            #expect(c.top >= 0 && c.left >= 0 && c.top + c.height <= 64 && c.left + c.width <= 64)
            #expect(i < 2 ? area > 0.2 : area < 0.3, "crop \(i) area \(area)")
        }
        var t = RandomGenerator(seed: 2)
        let sentence = "one two three four five six seven eight nine ten"
        let deleted = (0..<50).map { _ in TextViews.wordDeletion(sentence, probability: 0.1, rng: &t) }
        let kept = deleted.map { $0.split(separator: " ").count }.reduce(0, +)
        #expect(Swift.abs(Double(kept) / 500 - 0.9) < 0.06)
        #expect(deleted.allSatisfy { Set($0.split(separator: " ")).isSubset(of: Set(sentence.split(separator: " "))) })
        let span = TextViews.wordSpan(sentence, scale: 0.2...0.2, rng: &t)
        #expect(span.split(separator: " ").count == 2 && sentence.contains(span))
    }
}
