import CJPEG
import CPNG

/// Versions of the image codecs Kaizen links (libpng, libjpeg-turbo).
public enum ImageCodecs {
    public static var pngVersion: String { String(cString: png_get_libpng_ver(nil)) }
    public static var jpegVersion: Int { Int(JPEG_LIB_VERSION) }
}
