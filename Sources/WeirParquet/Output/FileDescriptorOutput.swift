#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Writes to an open file descriptor with write(2), retrying short writes and
/// EINTR. The descriptor is closed by `close()` only when the output owns it.
public final class FileDescriptorOutput: ParquetOutput {
    public let fd: Int32
    private let ownsDescriptor: Bool
    private var closed = false

    /// Writes to `fd`, which the caller keeps and closes.
    public init(fd: Int32) {
        self.fd = fd
        ownsDescriptor = false
    }

    /// Creates (or truncates) the file at `path`, mode 0644.
    public init(path: String) throws(ParquetError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("open \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor && !closed { _ = Glibc_close(fd) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write: \(String(cString: strerror(errno)))")
            }
            p += n
            left -= n
        }
    }

    /// fsync(2): the sink calls it before a file may become visible.
    public func sync() throws(ParquetError) {
        if fsync(fd) != 0 { throw .io("fsync: \(String(cString: strerror(errno)))") }
    }

    /// Closes a descriptor this output opened.
    public func close() throws(ParquetError) {
        guard ownsDescriptor, !closed else { return }
        closed = true
        if Glibc_close(fd) != 0 { throw .io("close: \(String(cString: strerror(errno)))") }
    }
}

// The methods named write/close shadow the C functions inside the class.
@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
@inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
