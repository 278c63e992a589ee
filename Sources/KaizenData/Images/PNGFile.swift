import CPNG
import Foundation

/// 8-bit pixels of one decoded image, interleaved (H, W, channels), channels 1 (grey) or 3 (RGB).
public struct DecodedImage: Sendable, Equatable {
    public let width: Int, height: Int, channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, channels == 1 || channels == 3, pixels.count == width * height * channels else {
            throw KaizenError.invalidArgument(name: "image", detail: "\(width)x\(height)x\(channels) with \(pixels.count) bytes")
        }
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }
}

/// PNG files through libpng's simplified `png_image` API, which reports failures as return codes
/// and a message (it never longjmps into Swift), so a corrupt file becomes a thrown error.
public enum PNGFile {
    /// Decodes `url` to grey (`channels` 1) or RGB (3); libpng converts between colour types and
    /// composites any alpha onto black.
    public static func read(_ url: URL, channels: Int) throws -> DecodedImage {
        guard channels == 1 || channels == 3 else {
            throw KaizenError.invalidArgument(name: "channels", detail: "PNG decoding gives 1 or 3 channels, got \(channels)")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "not a readable PNG: \(message(of: &image))")
        }
        image.format = channels == 3 ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "unsupported PNG size \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "corrupt PNG: \(message(of: &image))")
        }
        return try DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Writes 8-bit grey or RGB pixels as a PNG (used by tests and to export examples).
    public static func write(_ decoded: DecodedImage, to url: URL) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(decoded.width)
        image.height = png_uint_32(decoded.height)
        image.format = decoded.channels == 3 ? png_uint_32(PNG_FORMAT_FLAG_COLOR) : 0
        defer { png_image_free(&image) }
        let ok = decoded.pixels.withUnsafeBytes { buffer in
            png_image_write_to_file(&image, url.path, 0, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot write PNG: \(message(of: &image))")
        }
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown libpng error" : String(decoding: bytes, as: UTF8.self)
        }
    }
}
