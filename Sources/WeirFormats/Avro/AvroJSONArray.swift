/// Writes the text of a JSON array (a `collect` result) as an Avro array
/// without building a value tree: one pass counts the items (Avro writes the
/// count first), a second writes them. Strings are unescaped straight into
/// the output; nested objects/arrays become their JSON text (a `string`
/// item). Nothing here allocates; malformed text is a reason, never a trap.
enum AvroJSONArray {
    typealias Text = UnsafeRawBufferPointer

    static func write(_ text: Text, items: AvroResultBranches, to w: inout AvroBinaryWriter) -> StaticString? {
        var i = skipSpace(text, 0)
        guard i < text.count, text[i] == UInt8(ascii: "[") else { return "not a JSON array" }
        i += 1
        let start = i
        var count = 0
        guard walk(text, &i, { _, _ in count += 1; return nil }) == nil else { return "malformed JSON array" }
        if count > 0 {
            w.long(Int64(count))
            i = start
            if let problem = walk(text, &i, { from, to in item(text, from, to, items, &w) }) { return problem }
        }
        w.long(0)
        return nil
    }

    /// Calls `body` with the byte range of each item, from `i` (just after `[`) to the closing `]`.
    @inline(__always)
    private static func walk(_ t: Text, _ i: inout Int, _ body: (Int, Int) -> StaticString?) -> StaticString? {
        i = skipSpace(t, i)
        if i < t.count, t[i] == UInt8(ascii: "]") { return nil }
        while true {
            i = skipSpace(t, i)
            let from = i
            guard skipValue(t, &i) else { return "malformed JSON array" }
            if let problem = body(from, i) { return problem }
            i = skipSpace(t, i)
            guard i < t.count else { return "malformed JSON array" }
            if t[i] == UInt8(ascii: "]") { return nil }
            guard t[i] == UInt8(ascii: ",") else { return "malformed JSON array" }
            i += 1
        }
    }

    private static func item(_ t: Text, _ from: Int, _ to: Int, _ b: AvroResultBranches, _ w: inout AvroBinaryWriter) -> StaticString? {
        switch t[from] {
        case UInt8(ascii: "\""):
            let n = unescape(t, from + 1, to - 1, nil)
            guard n >= 0 else { return "malformed JSON string" }
            if let problem = b.beginString(length: n, &w) { return problem }
            _ = unescape(t, from + 1, to - 1, &w)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            if let problem = b.beginString(length: to - from, &w) { return problem }
            if let base = t.baseAddress { w.bytes(base.assumingMemoryBound(to: UInt8.self) + from, to - from) }
        case UInt8(ascii: "t"): return b.writeBool(true, &w)
        case UInt8(ascii: "f"): return b.writeBool(false, &w)
        case UInt8(ascii: "n"): return b.writeNull(&w)
        default:
            guard let base = t.baseAddress,
                  let number = JSONNumber.parse(base.assumingMemoryBound(to: UInt8.self) + from, count: to - from) else {
                return "malformed JSON number"
            }
            switch number {
            case .int(let v): return b.writeInt(v, &w)
            case .double(let d): return b.writeDouble(d, &w)
            default: return "malformed JSON number"
            }
        }
        return nil
    }

    @inline(__always) private static func skipSpace(_ t: Text, _ i: Int) -> Int {
        var i = i
        while i < t.count, t[i] == 0x20 || t[i] == 0x0A || t[i] == 0x0D || t[i] == 0x09 { i += 1 }
        return i
    }

    /// Moves `i` past one JSON value; false when there is none.
    private static func skipValue(_ t: Text, _ i: inout Int) -> Bool {
        guard i < t.count else { return false }
        switch t[i] {
        case UInt8(ascii: "\""): return skipString(t, &i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < t.count {
                switch t[i] {
                case UInt8(ascii: "\""): guard skipString(t, &i) else { return false }; continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                default: break
                }
                i += 1
            }
            return false
        case UInt8(ascii: "t"): return literal(t, &i, "true")
        case UInt8(ascii: "f"): return literal(t, &i, "false")
        case UInt8(ascii: "n"): return literal(t, &i, "null")
        default:
            let from = i
            while i < t.count {
                let c = t[i]
                guard (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                        || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
                i += 1
            }
            return i > from
        }
    }

    private static func literal(_ t: Text, _ i: inout Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard t.count - i >= n else { return false }
        var k = 0
        while k < n { guard t[i + k] == word.utf8Start[k] else { return false }; k += 1 }
        i += n
        return true
    }

    /// Past the closing quote of the string starting at `i`.
    private static func skipString(_ t: Text, _ i: inout Int) -> Bool {
        i += 1
        while i < t.count {
            switch t[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): i += 1; return true
            default: i += 1
            }
        }
        return false
    }

    /// The UTF-8 bytes of a string's content `t[from..<to]` with escapes
    /// resolved: counted (`w` nil) or written. -1 when an escape is malformed.
    /// A lone surrogate becomes U+FFFD, as JSON decoders commonly do.
    /// (A struct, not nested functions: their captured counters were boxed on the heap.)
    private static func unescape(_ t: Text, _ from: Int, _ to: Int, _ w: UnsafeMutablePointer<AvroBinaryWriter>?) -> Int {
        var out = UTF8Out(w: w)
        var i = from
        while i < to {
            let c = t[i]
            guard c == UInt8(ascii: "\\") else { out.put(c); i += 1; continue }
            guard i + 1 < to else { return -1 }
            switch t[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.put(t[i + 1])
            case UInt8(ascii: "b"): out.put(0x08)
            case UInt8(ascii: "f"): out.put(0x0C)
            case UInt8(ascii: "n"): out.put(0x0A)
            case UInt8(ascii: "r"): out.put(0x0D)
            case UInt8(ascii: "t"): out.put(0x09)
            case UInt8(ascii: "u"):
                guard let u = hex4(t, i + 2, to) else { return -1 }
                i += 6
                if u >= 0xD800 && u < 0xDC00, to - i >= 6, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(t, i + 2, to), low >= 0xDC00 && low < 0xE000 {
                    out.scalar(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                    i += 6
                } else {
                    out.scalar(u >= 0xD800 && u < 0xE000 ? 0xFFFD : u)
                }
                continue
            default: return -1
            }
            i += 2
        }
        return out.n
    }

    /// The four hex digits at `at` (before `to`), or nil.
    private static func hex4(_ t: Text, _ at: Int, _ to: Int) -> UInt32? {
        guard to - at >= 4 else { return nil }
        var v: UInt32 = 0
        var k = 0
        while k < 4 {
            let c = t[at + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            k += 1
        }
        return v
    }

    /// Counts UTF-8 bytes, and writes them when it has a writer.
    private struct UTF8Out {
        let w: UnsafeMutablePointer<AvroBinaryWriter>?
        var n = 0

        @inline(__always) mutating func put(_ b: UInt8) { w?.pointee.byte(b); n += 1 }

        mutating func scalar(_ v: UInt32) {
            switch v {
            case 0..<0x80: put(UInt8(v))
            case 0x80..<0x800: put(UInt8(0xC0 | v >> 6)); put(UInt8(0x80 | v & 0x3F))
            case 0x800..<0x10000:
                put(UInt8(0xE0 | v >> 12)); put(UInt8(0x80 | v >> 6 & 0x3F)); put(UInt8(0x80 | v & 0x3F))
            default:
                put(UInt8(0xF0 | v >> 18)); put(UInt8(0x80 | v >> 12 & 0x3F))
                put(UInt8(0x80 | v >> 6 & 0x3F)); put(UInt8(0x80 | v & 0x3F))
            }
        }
    }
}
