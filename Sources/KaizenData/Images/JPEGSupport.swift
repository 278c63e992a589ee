import Foundation

/// JPEG decoding for `ImageFolder`. It uses the TurboJPEG API (`tjDecompress2` returns error codes),
/// because libjpeg's classic API reports errors by calling `exit()` or `longjmp`, which Swift cannot
/// catch. Built only when the `CTurboJPEG` system-library module is present; otherwise JPEG files
/// are rejected with a message saying how to enable them.
enum JPEGSupport {
    #if canImport(CTurboJPEG)
    static let isAvailable = true
    static func read(_ url: URL, channels: Int) throws -> DecodedImage { try TurboJPEGFile.read(url, channels: channels) }
    #else
    static let isAvailable = false
    static func read(_ url: URL, channels: Int) throws -> DecodedImage {
        throw KaizenError.io(file: url.path, location: nil,
                             reason: "JPEG support is not built into this kaizen (needs libturbojpeg0-dev); convert the images to PNG")
    }
    #endif
}
