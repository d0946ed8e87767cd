import WeirFormats

/// Writing and reading text in `Row.arena` without allocating.
///
/// Sources and destinations are both in the arena, so copies go byte by byte
/// by index: appending may move the buffer, which invalidates pointers but not
/// indices.
enum ArenaText {
    @inline(__always)
    static func end(_ s: ByteSpan) -> Int { Int(s.start) + Int(s.count) }

    /// Copies a span to the end of the arena; returns the new span.
    @inline(__always)
    static func appendCopy(_ s: ByteSpan, _ row: inout Row) -> ByteSpan {
        let start = row.arena.count
        var i = Int(s.start)
        let stop = end(s)
        while i < stop {
            row.arena.append(row.arena[i])
            i += 1
        }
        return ByteSpan(start: start, count: row.arena.count - start)
    }

    /// Appends constant bytes (string literals, `true`/`false`).
    @inline(__always)
    static func append(_ bytes: [UInt8], _ row: inout Row) -> ByteSpan {
        let start = row.arena.count
        row.arena.append(contentsOf: bytes)
        return ByteSpan(start: start, count: bytes.count)
    }

    /// `a` followed by `b`, copying as little as possible: nothing when they
    /// are already adjacent, only `b` when `a` ends the arena.
    static func concat(_ a: ByteSpan, _ b: ByteSpan, _ row: inout Row) -> ByteSpan {
        if a.count == 0 { return b }
        if b.count == 0 { return a }
        if Int(b.start) == end(a) { return ByteSpan(start: Int(a.start), count: Int(a.count) + Int(b.count)) }
        if end(a) == row.arena.count {
            _ = appendCopy(b, &row)
            return ByteSpan(start: Int(a.start), count: Int(a.count) + Int(b.count))
        }
        let start = row.arena.count
        _ = appendCopy(a, &row)
        _ = appendCopy(b, &row)
        return ByteSpan(start: start, count: row.arena.count - start)
    }

    /// Decimal digits of an integer.
    static func writeInt(_ value: Int64, _ row: inout Row) -> ByteSpan {
        let start = row.arena.count
        var magnitude = value.magnitude
        if value < 0 { row.arena.append(UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        let first = row.arena.count
        for _ in 0..<digits { row.arena.append(0) }
        var i = first + digits - 1
        repeat {
            row.arena[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            i -= 1
        } while magnitude > 0
        return ByteSpan(start: start, count: row.arena.count - start)
    }

    /// The shortest text that reads back as the same Double (Swift's
    /// `description`), written straight into the arena.
    static func writeDouble(_ value: Double, _ row: inout Row) -> ByteSpan {
        let start = row.arena.count
        var stream = ArenaStream()
        swap(&stream.bytes, &row.arena)
        value.write(to: &stream)
        swap(&stream.bytes, &row.arena)
        return ByteSpan(start: start, count: row.arena.count - start)
    }

    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)

    /// The text form of a scalar cell (what `toString` and `concat` use);
    /// nil for null/missing.
    static func text(of cell: Cell, _ row: inout Row) -> ByteSpan? {
        switch cell {
        case .missing, .null: return nil
        case .string(let s), .json(let s): return s
        case .int(let v): return writeInt(v, &row)
        case .double(let d): return writeDouble(d, &row)
        case .bool(let b): return append(b ? trueBytes : falseBytes, &row)
        }
    }

    // MARK: comparing

    /// Byte-wise three-way comparison of two spans.
    static func compare(_ a: ByteSpan, _ b: ByteSpan, _ row: inout Row) -> Int {
        row.arena.withUnsafeBufferPointer { p -> Int in
            compare(UnsafeBufferPointer(rebasing: p[Int(a.start)..<end(a)]),
                    UnsafeBufferPointer(rebasing: p[Int(b.start)..<end(b)]))
        }
    }

    /// Byte-wise three-way comparison of a span with constant bytes.
    static func compare(_ a: ByteSpan, _ constant: [UInt8], _ row: inout Row) -> Int {
        row.arena.withUnsafeBufferPointer { p -> Int in
            constant.withUnsafeBufferPointer { c -> Int in
                compare(UnsafeBufferPointer(rebasing: p[Int(a.start)..<end(a)]), c)
            }
        }
    }

    @inline(__always)
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i < n {
            let x = a[i], y = b[i]
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func equal(_ a: ByteSpan, _ b: ByteSpan, _ row: inout Row) -> Bool {
        a.count == b.count && compare(a, b, &row) == 0
    }
}

/// A TextOutputStream over the arena's bytes; Double's `write(to:)` hands its
/// digits to `_writeASCII` from a stack buffer, so no String is built.
struct ArenaStream: TextOutputStream {
    var bytes: [UInt8] = []
    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}
