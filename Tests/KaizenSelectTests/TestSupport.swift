import Foundation
@testable import KaizenSelect

/// Test helpers: fixtures, a minimal float32 .npy reader and synthetic data.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw KaizenError.io(file: name, location: nil, reason: "fixture missing from the test bundle")
        }
        return url
    }

    /// Reads a little-endian float32, C-order .npy file (format 1.0/2.0) of any rank.
    static func npyFloat32(_ name: String) throws -> Tensor {
        let data = try Data(contentsOf: url(name))
        let bytes = [UInt8](data)
        guard bytes.count > 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
            throw KaizenError.io(file: name, location: "0", reason: "not a .npy file")
        }
        let major = bytes[6]
        let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        let headerStart = major == 1 ? 10 : 12
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False") else {
            throw KaizenError.io(file: name, location: "header", reason: "expected little-endian float32 in C order: \(header)")
        }
        guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else {
            throw KaizenError.io(file: name, location: "header", reason: "no shape")
        }
        let shape = header[header.index(after: open)..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart + 4 * count else {
            throw KaizenError.io(file: name, location: "data", reason: "truncated")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let o = dataStart + 4 * i
            let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        return try Tensor(shape: shape, values: values)
    }

    struct Golden: Decodable {
        struct ActiveFT: Decodable {
            var init_ids: [Int]
            var temperature: Double
            var lr: Double
            var steps: Int
            var loss_at_step: [String: Double]
            var final_centroids_normalised: [[Double]]
            var selected_sorted: [Int]
        }
        var cores: [Int]
        var selections: [String: [Int]]
        var activeft: ActiveFT
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url("expected.json")))
    }
}

/// The spec's four-blob set: blobs at (0,0), (6,0), (0,6), (6,6), sigma 1, `perBlob` points each,
/// then 8 outliers about 30 away from the middle; cores are the samples nearest each blob centre.
struct FourBlobs {
    static let centres: [(Double, Double)] = [(0, 0), (6, 0), (0, 6), (6, 6)]
    var features: Tensor
    var blob: [Int]          // blob of each sample, -1 for outliers
    var cores: [Int]
    var outliers: [Int]

    init(perBlob: Int = 500, seed: UInt64 = 7) throws {
        var rng = RandomGenerator(seed: seed)
        var values: [Float] = []
        var blob: [Int] = []
        for (b, c) in FourBlobs.centres.enumerated() {
            for _ in 0..<perBlob {
                values += [Float(c.0 + rng.nextNormal()), Float(c.1 + rng.nextNormal())]
                blob.append(b)
            }
        }
        var outliers: [Int] = []
        for o in 0..<8 {
            let angle = Double(o) * Double.pi / 4 + 0.3
            outliers.append(blob.count)
            values += [Float(3 + 30 * cos(angle)), Float(3 + 30 * sin(angle))]
            blob.append(-1)
        }
        features = try Tensor(shape: [blob.count, 2], values: values)
        self.blob = blob
        self.outliers = outliers
        cores = FourBlobs.centres.map { c in
            var best = 0, bestD = Double.infinity
            for i in 0..<blob.count {
                let dx = Double(values[2 * i]) - c.0, dy = Double(values[2 * i + 1]) - c.1
                if dx * dx + dy * dy < bestD { bestD = dx * dx + dy * dy; best = i }
            }
            return best
        }
    }

    func point(_ i: Int) -> (Double, Double) {
        let p = features.basePointer
        return (Double(p[2 * i]), Double(p[2 * i + 1]))
    }

    /// Distance to the nearest other true centre minus distance to the own centre.
    func margin(_ i: Int) -> Double {
        let (x, y) = point(i)
        let dists = FourBlobs.centres.map { ((x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1)).squareRoot() }
        let own = dists[blob[i]]
        let other = dists.enumerated().filter { $0.offset != blob[i] }.map(\.element).min()!
        return other - own
    }
}
