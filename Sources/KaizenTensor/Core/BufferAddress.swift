/// The first element's address of a buffer that may be empty. Kernels loop zero times over an
/// empty buffer and BLAS returns before reading, so an aligned placeholder stands in for a nil base
/// (a force unwrap there would trap on empty user data).
extension UnsafeBufferPointer {
    @inlinable public var address: UnsafePointer<Element> {
        baseAddress ?? UnsafePointer(BufferAddress.placeholder(Element.self))
    }
}

extension UnsafeMutableBufferPointer {
    @inlinable public var address: UnsafeMutablePointer<Element> {
        baseAddress ?? BufferAddress.placeholder(Element.self)
    }
}

public enum BufferAddress {
    /// A non-null, suitably aligned address that is never dereferenced.
    @inlinable public static func placeholder<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutablePointer<T>(bitPattern: Swift.max(MemoryLayout<T>.alignment, 16)).unsafelyUnwrapped
    }
}
