import Foundation

/// A labelled image dataset stored as one folder per class (`root/<class>/<image>.png`), like
/// torchvision's `ImageFolder`: classes are the sub-folders sorted by name, files are sorted by
/// name within each class, hidden entries and files of other types are ignored.
public enum ImageFolder {
    /// Extensions decoded as PNG; JPEG extensions are listed in `jpegExtensions`.
    public static let pngExtensions: Set<String> = ["png"]
    public static let jpegExtensions: Set<String> = ["jpg", "jpeg"]

    /// Class names (sorted) and the image files of each class.
    public static func scan(_ root: URL) throws -> [(name: String, files: [URL])] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KaizenError.io(file: root.path, location: nil, reason: "image folder not found (expected one sub-folder per class)")
        }
        let entries = try contents(root)
        let classes = entries.filter { isFolder($0) }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !classes.isEmpty else {
            throw KaizenError.io(file: root.path, location: nil, reason: "no class folders: put the images of each class in its own sub-folder")
        }
        return try classes.map { folder in
            let files = try contents(folder).filter { url in
                let ext = url.pathExtension.lowercased()
                return !isFolder(url) && (pngExtensions.contains(ext) || jpegExtensions.contains(ext))
            }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            guard !files.isEmpty else {
                throw KaizenError.io(file: folder.path, location: nil, reason: "class folder has no PNG or JPEG images")
            }
            return (folder.lastPathComponent, files)
        }
    }

    /// Loads every image as [N, channels, H, W] in [0, 1] (pixel/255). With `size`, each image is
    /// resized (antialiased bilinear) to size x size; without it all images must share one size.
    public static func load(_ root: URL, channels: Int = 3, size: Int? = nil) throws -> LabeledImages {
        guard channels == 1 || channels == 3 else {
            throw KaizenError.invalidArgument(name: "channels", detail: "1 (grey) or 3 (RGB), got \(channels)")
        }
        if let size, size <= 0 { throw KaizenError.invalidArgument(name: "size", detail: "must be positive, got \(size)") }
        let classes = try scan(root)
        let files = classes.flatMap(\.files)
        let labels = classes.enumerated().flatMap { c, entry in [Int](repeating: c, count: entry.files.count) }
        let decoded = try decodeAll(files, channels: channels)

        let (height, width) = size.map { ($0, $0) } ?? (decoded[0].height, decoded[0].width)
        if size == nil, let k = decoded.firstIndex(where: { $0.height != height || $0.width != width }) {
            throw KaizenError.io(file: files[k].path, location: nil,
                                 reason: "is \(decoded[k].width)x\(decoded[k].height) but \(files[0].lastPathComponent) is \(width)x\(height); pass a size to resize all images")
        }
        let plane = height * width
        let out = Tensor(uninitializedShape: [files.count, channels, height, width])
        for (k, image) in decoded.enumerated() {
            var planes = planar(image)
            if image.height != height || image.width != width {
                planes = try ImageResize.bilinear(planes, height: height, width: width)
            }
            (out.basePointer + k * channels * plane).update(from: planes.basePointer, count: channels * plane)
        }
        return try LabeledImages(images: out, labels: labels, classNames: classes.map(\.name))
    }

    /// Decodes a single PNG or JPEG file by its extension.
    public static func decode(_ url: URL, channels: Int) throws -> DecodedImage {
        let ext = url.pathExtension.lowercased()
        if jpegExtensions.contains(ext) { return try JPEGSupport.read(url, channels: channels) }
        return try PNGFile.read(url, channels: channels)
    }

    /// Decodes files in parallel; the first failure (in file order) is rethrown.
    private static func decodeAll(_ files: [URL], channels: Int) throws -> [DecodedImage] {
        var results = [Result<DecodedImage, KaizenError>?](repeating: nil, count: files.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let box = UncheckedSendable(buffer)
            Parallel.forRanges(files.count, costPerItem: 1 << 16) { range in
                for k in range {
                    do { box.value[k] = .success(try decode(files[k], channels: channels)) }
                    catch let error as KaizenError { box.value[k] = .failure(error) }
                    catch { box.value[k] = .failure(.io(file: files[k].path, location: nil, reason: "\(error)")) }
                }
            }
        }
        return try results.enumerated().map { k, result in
            try (result ?? .failure(.io(file: files[k].path, location: nil, reason: "was not decoded"))).get()
        }
    }

    /// Interleaved bytes -> [1, C, H, W] floats in [0, 1].
    private static func planar(_ image: DecodedImage) -> Tensor {
        let c = image.channels, plane = image.width * image.height
        let t = Tensor(uninitializedShape: [1, c, image.height, image.width])
        let o = t.basePointer
        image.pixels.withUnsafeBufferPointer { p in
            for k in 0..<plane { for ch in 0..<c { o[ch * plane + k] = Float(p[k * c + ch]) / 255 } }
        }
        return t
    }

    private static func contents(_ folder: URL) throws -> [URL] {
        do {
            return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey],
                                                               options: [.skipsHiddenFiles])
        } catch {
            throw KaizenError.io(file: folder.path, location: nil, reason: "cannot list folder: \(error.localizedDescription)")
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
    }
}
