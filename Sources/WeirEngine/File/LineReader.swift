#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads newline-separated records from a file descriptor with large reads
/// into one buffer, and hands out each line as a view into it — no allocation
/// per line. A view is valid until the next call to `next()`.
///
/// `\n` ends a line and a `\r` before it is dropped; the last line needs no
/// newline. A line longer than `maxLineBytes` is returned cut to that length
/// with `tooLong` set, and the rest of it is skipped.
final class LineReader {
    struct Line {
        var bytes: UnsafeRawBufferPointer
        var tooLong: Bool
    }

    let path: String
    private let fd: Int32
    private let ownsFD: Bool
    // Hot properties skip dynamic exclusivity checks: one thread reads and no access overlaps.
    @exclusivity(unchecked) private var buffer: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var capacity: Int
    private let maxLineBytes: Int
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var end = 0
    @exclusivity(unchecked) private var atEOF = false
    /// Set while skipping the rest of a line that was too long.
    @exclusivity(unchecked) private var skipping = false
    /// Lines handed out so far (1-based number of the last one).
    @exclusivity(unchecked) private(set) var lineNumber = 0
    /// True for pipes and terminals, whose reads may wait for a writer.
    let mayBlock: Bool

    /// Opens `path` (`-` is stdin).
    init(path: String, bufferBytes: Int = 1 << 20, maxLineBytes: Int = 8 << 20) throws(FileJobError) {
        self.path = path
        if path == "-" {
            fd = 0; ownsFD = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .errno("cannot open", path) }
            ownsFD = true
        }
        var st = stat()
        mayBlock = fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG
        capacity = max(64, min(bufferBytes, maxLineBytes))
        self.maxLineBytes = max(capacity, maxLineBytes)
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if ownsFD { close(fd) }
    }

    var displayName: String { path == "-" ? "stdin" : path }

    /// True when the next `next()` has to read (no whole line is buffered):
    /// for a pipe, the moment to flush output before possibly waiting.
    var needsRead: Bool {
        !atEOF && (start >= end || memchr(buffer + start, 0x0A, end - start) == nil)
    }

    /// The next line, or nil at the end of the input.
    @inline(__always)
    func next() throws(FileJobError) -> Line? {
        while true {
            if start < end, let nl = memchr(buffer + start, 0x0A, end - start) {
                let lineStart = start
                let lineEnd = buffer.distance(to: nl)
                start = lineEnd + 1
                if skipping { skipping = false; continue }   // the tail of a line already handed out cut
                lineNumber += 1
                return line(from: lineStart, to: lineEnd, tooLong: false)
            }
            if atEOF {
                guard start < end else { return nil }
                let lineStart = start
                start = end
                if skipping { skipping = false; return nil }
                lineNumber += 1
                return line(from: lineStart, to: end, tooLong: false)
            }
            try fill()
            if skipping, start == 0, end == capacity, memchr(buffer, 0x0A, end) == nil {
                start = end   // still inside the over-long line: drop what was read
            } else if !skipping, start == 0, end == capacity, capacity >= maxLineBytes, memchr(buffer, 0x0A, end) == nil {
                // a full buffer at the maximum size without a newline: hand out its start, skip the rest
                start = end
                skipping = true
                lineNumber += 1
                return Line(bytes: UnsafeRawBufferPointer(start: buffer, count: capacity), tooLong: true)
            }
        }
    }

    @inline(__always)
    private func line(from s: Int, to e: Int, tooLong: Bool) -> Line {
        var n = e - s
        if n > 0 && buffer.load(fromByteOffset: s + n - 1, as: UInt8.self) == 0x0D { n -= 1 }
        return Line(bytes: UnsafeRawBufferPointer(start: buffer + s, count: n), tooLong: tooLong)
    }

    /// Moves the unread part to the front, grows a full buffer (up to the
    /// line limit), and reads once; sets `atEOF` at the end.
    private func fill() throws(FileJobError) {
        if start > 0 {
            if start < end { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        if end == capacity && capacity < maxLineBytes {
            let bigger = min(capacity * 2, maxLineBytes)
            let b = UnsafeMutableRawPointer.allocate(byteCount: bigger, alignment: 16)
            b.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = b
            capacity = bigger
        }
        guard end < capacity else { return }   // a full buffer of one over-long line: `next` handles it
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n > 0 { end += n; return }
            if n == 0 { atEOF = true; return }
            if Glibc.errno == EINTR { continue }
            throw .errno("cannot read", displayName)
        }
    }
}
