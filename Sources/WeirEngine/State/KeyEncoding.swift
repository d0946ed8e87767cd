import WeirFormats

/// The compact byte form of cells, used for the keys of keyed state and for
/// stored values (count-distinct, collect, first/last strings).
///
/// One tag byte per cell, then its payload: ints and doubles 8 bytes little
/// endian, strings and JSON fragments a LEB128 length and their bytes. Numbers
/// are compared by value, as JSON means them: a double with an integral value
/// that fits Int64 (also -0.0) is stored as that int, so `7` and `7.0` are one
/// key. All NaNs are one value.
enum KeyEncoding {
    static let null: UInt8 = 0, falseTag: UInt8 = 1, trueTag: UInt8 = 2, int: UInt8 = 3,
               double: UInt8 = 4, string: UInt8 = 5, json: UInt8 = 6

    /// Appends a cell. Returns false for `.missing` (nothing is appended).
    @inline(__always)
    static func append(_ cell: Cell, from row: Row, to out: inout [UInt8]) -> Bool {
        switch cell {
        case .missing: return false
        case .null: out.append(null)
        case .bool(let b): out.append(b ? trueTag : falseTag)
        case .int(let v): appendInt(v, to: &out)
        case .double(let d):
            if let v = exactInt(d) { appendInt(v, to: &out) } else {
                out.append(double)
                let bits = d.isNaN ? Double.nan.bitPattern : d.bitPattern
                appendWord(bits, to: &out)
            }
        case .string(let s):
            out.append(string); appendSpan(s, from: row, to: &out)
        case .json(let s):
            out.append(json); appendSpan(s, from: row, to: &out)
        }
        return true
    }

    @inline(__always) static func exactInt(_ d: Double) -> Int64? {
        // 2^63 is exactly representable; values in [-2^63, 2^63) convert exactly.
        guard d.isFinite, d == d.rounded(.towardZero), d >= -9_223_372_036_854_775_808.0,
              d < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(d)
    }

    @inline(__always) static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        out.append(int)
        appendWord(UInt64(bitPattern: v), to: &out)
    }

    @inline(__always) static func appendWord(_ w: UInt64, to out: inout [UInt8]) {
        var x = w.littleEndian
        withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
    }

    @inline(__always) static func appendVarint(_ v: Int, to out: inout [UInt8]) {
        var x = UInt64(v)
        while x >= 0x80 { out.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        out.append(UInt8(x))
    }

    @inline(__always) static func appendSpan(_ s: ByteSpan, from row: Row, to out: inout [UInt8]) {
        appendVarint(Int(s.count), to: &out)
        row.withBytes(s) { out.append(contentsOf: $0) }
    }

    /// Reads one cell at `pos` (advancing it); text is copied into `row.arena`.
    /// Returns nil on malformed bytes (only possible from a corrupt snapshot).
    static func decode(_ bytes: UnsafeRawBufferPointer, at pos: inout Int, into row: inout Row) -> Cell? {
        guard pos < bytes.count else { return nil }
        let tag = bytes[pos]; pos += 1
        switch tag {
        case null: return .null
        case falseTag: return .bool(false)
        case trueTag: return .bool(true)
        case int:
            guard let w = readWord(bytes, at: &pos) else { return nil }
            return .int(Int64(bitPattern: w))
        case double:
            guard let w = readWord(bytes, at: &pos) else { return nil }
            return .double(Double(bitPattern: w))
        case string, json:
            guard let n = readVarint(bytes, at: &pos), n <= bytes.count - pos else { return nil }
            let span = row.store(UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]))
            pos += n
            return tag == string ? .string(span) : .json(span)
        default: return nil
        }
    }

    @inline(__always) static func readWord(_ bytes: UnsafeRawBufferPointer, at pos: inout Int) -> UInt64? {
        guard bytes.count - pos >= 8 else { return nil }
        let w = bytes.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
        pos += 8
        return UInt64(littleEndian: w)
    }

    static func readVarint(_ bytes: UnsafeRawBufferPointer, at pos: inout Int) -> Int? {
        var x: UInt64 = 0, shift: UInt64 = 0
        while pos < bytes.count && shift < 63 {
            let b = bytes[pos]; pos += 1
            x |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return x <= UInt64(Int.max) ? Int(x) : nil }
            shift += 7
        }
        return nil
    }

    /// Appends the JSON text of one encoded cell (for `collect`). Returns false on malformed bytes.
    static func appendJSON(_ bytes: UnsafeRawBufferPointer, at pos: inout Int, to out: inout [UInt8]) -> Bool {
        guard pos < bytes.count else { return false }
        let tag = bytes[pos]; pos += 1
        switch tag {
        case null: out.append(contentsOf: "null".utf8)
        case falseTag: out.append(contentsOf: "false".utf8)
        case trueTag: out.append(contentsOf: "true".utf8)
        case int:
            guard let w = readWord(bytes, at: &pos) else { return false }
            appendDecimal(Int64(bitPattern: w), to: &out)
        case double:
            guard let w = readWord(bytes, at: &pos) else { return false }
            let d = Double(bitPattern: w)
            if d.isFinite { out.append(contentsOf: d.description.utf8) } else { out.append(contentsOf: "null".utf8) }
        case string:
            guard let n = readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
            appendJSONString(UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]), to: &out)
            pos += n
        case json:
            guard let n = readVarint(bytes, at: &pos), n <= bytes.count - pos else { return false }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]))
            pos += n
        default: return false
        }
        return true
    }

    static func appendDecimal(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(UInt8(ascii: "0")); return }
        var m = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes of scratch on the stack
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 { buf[23 - n] = UInt8(ascii: "0") + UInt8(m % 10); m /= 10; n += 1 }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }

    @inline(__always) static func hexDigit(_ x: UInt8) -> UInt8 {
        x < 10 ? UInt8(ascii: "0") + x : UInt8(ascii: "a") + x - 10
    }

    static func appendJSONString(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigit(b >> 4)); out.append(hexDigit(b & 15))
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
