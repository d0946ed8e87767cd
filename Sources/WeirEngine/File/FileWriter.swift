#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer of lines to a file (created or truncated) or stdout:
/// bytes are copied into one buffer and written with large `write` calls.
final class FileWriter {
    let path: String
    private let fd: Int32
    private let ownsFD: Bool
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    // Hot properties skip dynamic exclusivity checks: one thread writes and no access overlaps.
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private(set) var lines = 0

    /// Opens `path` for writing, truncating it; `-` is stdout.
    init(path: String, bufferBytes: Int = 1 << 20) throws(FileJobError) {
        self.path = path
        if path == "-" {
            fd = 1; ownsFD = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .errno("cannot create", path) }
            ownsFD = true
        }
        capacity = max(4096, bufferBytes)
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        try? flush()
        buffer.deallocate()
        if ownsFD { close(fd) }
    }

    var displayName: String { path == "-" ? "stdout" : path }

    /// Writes `bytes` and a newline.
    @inline(__always)
    func writeLine(_ bytes: UnsafeRawBufferPointer) throws(FileJobError) {
        if count + bytes.count + 1 > capacity {
            try flush()
            if bytes.count + 1 > capacity {   // larger than the buffer: straight through
                try writeAll(bytes)
                var newline: UInt8 = 0x0A
                try withUnsafeBytes(of: &newline) { nl throws(FileJobError) in try writeAll(nl) }
                lines += 1
                return
            }
        }
        if let base = bytes.baseAddress { (buffer + count).copyMemory(from: base, byteCount: bytes.count) }
        count += bytes.count
        buffer.storeBytes(of: 0x0A, toByteOffset: count, as: UInt8.self)
        count += 1
        lines += 1
    }

    func writeLine(_ text: String) throws {
        var t = text
        try t.withUTF8 { try writeLine(UnsafeRawBufferPointer($0)) }
    }

    func flush() throws(FileJobError) {
        guard count > 0 else { return }
        let n = count
        count = 0
        try writeAll(UnsafeRawBufferPointer(start: buffer, count: n))
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(FileJobError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, left)
            if n > 0 { p += n; left -= n; continue }
            if n < 0 && Glibc.errno == EINTR { continue }
            throw .errno("cannot write", displayName)
        }
    }
}
