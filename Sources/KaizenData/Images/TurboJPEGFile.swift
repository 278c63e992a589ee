#if canImport(CTurboJPEG)
import CTurboJPEG
import Foundation
import KaizenIO

/// JPEG files through the TurboJPEG API of libjpeg-turbo, whose calls return -1 with a message
/// instead of exiting. Any error or warning (e.g. truncated data) is reported as a corrupt file.
enum TurboJPEGFile {
    static func read(_ url: URL, channels: Int) throws -> DecodedImage {
        guard channels == 1 || channels == 3 else {
            throw KaizenError.invalidArgument(name: "channels", detail: "JPEG decoding gives 1 or 3 channels, got \(channels)")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let handle = tjInitDecompress() else {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot initialise the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        func failure(_ stage: String) -> KaizenError {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            return .io(file: url.path, location: nil, reason: "corrupt JPEG (\(stage)): \(message)")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = bytes.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                                &width, &height, &subsampling, &colourspace)
        }
        guard header == 0 else { throw failure("header") }
        guard width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "unsupported JPEG size \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let format = channels == 3 ? Int32(TJPF_RGB.rawValue) : Int32(TJPF_GRAY.rawValue)
        let status = bytes.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), out.baseAddress,
                              width, 0, height, format, 0)
            }
        }
        guard status == 0 else { throw failure("data") }
        return try DecodedImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Encodes 8-bit grey or RGB pixels as a baseline JPEG (4:4:4, given quality); for tests and exports.
    static func write(_ image: DecodedImage, to url: URL, quality: Int = 95) throws {
        guard let handle = tjInitCompress() else {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot initialise the JPEG encoder")
        }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let format = image.channels == 3 ? Int32(TJPF_RGB.rawValue) : Int32(TJPF_GRAY.rawValue)
        let sampling = image.channels == 3 ? Int32(TJSAMP_444.rawValue) : Int32(TJSAMP_GRAY.rawValue)
        let status = image.pixels.withUnsafeBufferPointer { p in
            tjCompress2(handle, p.baseAddress, Int32(image.width), 0, Int32(image.height), format,
                        &buffer, &size, sampling, Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot encode JPEG: \(message)")
        }
        try AtomicFile.write(Data(bytes: buffer, count: Int(size)), to: url)
    }
}
#endif
