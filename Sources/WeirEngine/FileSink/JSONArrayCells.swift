import WeirFormats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The elements of a JSON array of scalars (what a row holds for an Avro
/// array of primitives: its JSON rendering), as cells in a scratch row, for
/// the files sink's LIST columns. Reuses the row's storage: no allocation
/// once it has grown to the longest array.
enum JSONArrayCells {
    /// Parses `b` into `out` (cells and arena reset first). False for anything
    /// but an array of null, booleans, numbers and strings.
    static func parse(_ b: UnsafeRawBufferPointer, into out: inout Row, number scratch: inout [UInt8]) -> Bool {
        out.cells.removeAll(keepingCapacity: true)
        out.arena.removeAll(keepingCapacity: true)
        let n = b.count
        var i = skipSpace(b, 0)
        guard i < n, b[i] == UInt8(ascii: "[") else { return false }
        i = skipSpace(b, i + 1)
        if i < n, b[i] == UInt8(ascii: "]") { return skipSpace(b, i + 1) == n }
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let start = out.arena.count
                guard let next = string(b, i + 1, into: &out.arena) else { return false }
                out.cells.append(.string(ByteSpan(start: start, count: out.arena.count - start)))
                i = next
            } else if literal(b, i, "null") {
                out.cells.append(.null); i += 4
            } else if literal(b, i, "true") {
                out.cells.append(.bool(true)); i += 4
            } else if literal(b, i, "false") {
                out.cells.append(.bool(false)); i += 5
            } else if c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                var j = i
                var integral = true
                while j < n {
                    let d = b[j]
                    if d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") || d == UInt8(ascii: "-") || d == UInt8(ascii: "+") { j += 1; continue }
                    if d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { integral = false; j += 1; continue }
                    break
                }
                guard let cell = number(b, i, j, integral: integral, scratch: &scratch) else { return false }
                out.cells.append(cell)
                i = j
            } else {
                return false
            }
            i = skipSpace(b, i)
            guard i < n else { return false }
            if b[i] == UInt8(ascii: ",") { i = skipSpace(b, i + 1); continue }
            if b[i] == UInt8(ascii: "]") { return skipSpace(b, i + 1) == n }
            return false
        }
        return false
    }

    static func skipSpace(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    static func literal(_ b: UnsafeRawBufferPointer, _ i: Int, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        guard i + word.utf8CodeUnitCount <= b.count else { return false }
        var k = 0
        while k < word.utf8CodeUnitCount { if b[i + k] != w[k] { return false }; k += 1 }
        return true
    }

    /// An integer (Int64), or a double (fractions, exponents, integers past Int64).
    static func number(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int, integral: Bool, scratch: inout [UInt8]) -> Cell? {
        if integral {
            var k = from
            let negative = b[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            guard k < to else { return nil }
            var v: Int64 = 0
            var overflow = false
            while k < to {
                let d = b[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
                if o1 || o2 { overflow = true; break }
                v = a
                k += 1
            }
            if !overflow { return .int(v) }
        }
        scratch.removeAll(keepingCapacity: true)
        var k = from
        while k < to { scratch.append(b[k]); k += 1 }
        scratch.append(0)
        var end: UnsafeMutablePointer<CChar>?
        let d = scratch.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { c -> Double? in
                let v = strtod(c, &end)
                return end.map { UnsafePointer($0) } == c + (to - from) ? v : nil
            }
        }
        return d.map { .double($0) }
    }

    /// A string's bytes, unescaped, after its opening quote at `from`; returns
    /// the index after the closing quote.
    static func string(_ b: UnsafeRawBufferPointer, _ from: Int, into out: inout [UInt8]) -> Int? {
        var i = from
        let n = b.count
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = b[at + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            guard i + 1 < n else { return nil }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var u = hex4(i) else { return nil }
                i += 4
                if u >= 0xD800 && u < 0xDC00 {   // a surrogate pair
                    guard i + 6 <= n, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"), let lo = hex4(i + 2),
                          lo >= 0xDC00 && lo < 0xE000 else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                } else if u >= 0xDC00 && u < 0xE000 {
                    return nil
                }
                if u < 0x80 { out.append(UInt8(u)) }
                else if u < 0x800 { out.append(UInt8(0xC0 | (u >> 6))); out.append(UInt8(0x80 | (u & 0x3F))) }
                else if u < 0x10000 {
                    out.append(UInt8(0xE0 | (u >> 12))); out.append(UInt8(0x80 | ((u >> 6) & 0x3F))); out.append(UInt8(0x80 | (u & 0x3F)))
                } else {
                    out.append(UInt8(0xF0 | (u >> 18))); out.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
                    out.append(UInt8(0x80 | ((u >> 6) & 0x3F))); out.append(UInt8(0x80 | (u & 0x3F)))
                }
            default: return nil
            }
        }
        return nil
    }
}
