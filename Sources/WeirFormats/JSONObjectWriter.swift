/// Writes one JSON object of a layout's fields straight into a reusable
/// buffer — what yajl's generator produced for `JSONRowEncoder`, byte for
/// byte, without a call per token or `sprintf` per integer.
///
/// The text is yajl's: no whitespace; member names as the layout pre-escaped
/// them; strings escaped as yajl escapes them (`\"`, `\\`, `\b \f \n \r \t`,
/// other control characters as `\u00XX` with upper-case hex, nothing else —
/// not even `/`); integers in decimal; doubles in shortest round-trip form,
/// non-finite ones as null; `.json` fragments verbatim.
struct JSONObjectWriter {
    var buffer: RawGrowableBuffer<UInt8>
    private(set) var ok = true

    init(buffer: RawGrowableBuffer<UInt8>) {
        self.buffer = buffer
        self.buffer.removeAll()
    }

    /// `{…}` of the layout's fields; `.missing` cells are left out.
    mutating func object(_ cells: UnsafeBufferPointer<Cell>, _ arena: UnsafeRawBufferPointer,
                         _ layout: JSONOutputLayout) -> EncodeError? {
        byte(UInt8(ascii: "{"))
        var wrote = false
        for i in 0..<layout.count {
            let slot = layout.slot(i)
            guard slot >= 0, slot < cells.count else {
                return EncodeError(.slotOutOfRange, field: layout.fields[i].name, "slot \(slot) of \(cells.count)")
            }
            let cell = cells[slot]
            if case .missing = cell { continue }
            if wrote { byte(UInt8(ascii: ",")) }
            wrote = true
            let (name, nameCount) = layout.quotedName(i)    // `"name":`
            append(name, nameCount)
            if let failure = value(cell, arena) { return EncodeError(failure.0, field: layout.fields[i].name, failure.1) }
        }
        byte(UInt8(ascii: "}"))
        return ok ? nil : EncodeError(.generator, "out of memory for the output")
    }

    @inline(__always)
    private mutating func value(_ cell: Cell, _ arena: UnsafeRawBufferPointer) -> (EncodeError.Kind, String)? {
        switch cell {
        case .missing, .null: append(Self.nullText, 4)
        case .bool(let b): if b { append(Self.trueText, 4) } else { append(Self.falseText, 5) }
        case .int(let v): integer(v)
        case .double(let v):
            guard v.isFinite else { append(Self.nullText, 4); return nil }   // JSON has no NaN/Infinity
            ShortestDouble(v).withBytes { append($0, $1) }
        case .string(let span):
            guard let (p, n) = bytes(span, arena) else { return (.spanOutOfRange, "string span outside the row arena") }
            guard UTF8Validation.isValid(p, count: n) else { return (.invalidUTF8, "string is not valid UTF-8") }
            string(p, n)
        case .json(let span):
            // trusted to be JSON: the decoder copies fragments from validated input
            guard let (p, n) = bytes(span, arena), n > 0 else { return (.spanOutOfRange, "JSON span outside the row arena") }
            append(p, n)
        }
        return nil
    }

    @inline(__always) mutating func byte(_ b: UInt8) { ok = buffer.append(b) && ok }

    @inline(__always) mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        ok = buffer.append(contentsOf: p, count: n) && ok
    }

    /// Decimal digits, written backwards into a stack buffer.
    @inline(__always)
    private mutating func integer(_ v: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)      // 24 bytes: sign + 19 digits fit
        withUnsafeMutableBytes(of: &digits) { raw in
            let p = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)   // a tuple's address is never nil
            var m = v.magnitude
            var i = 24
            repeat {
                i -= 1
                p[i] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30
                m /= 10
            } while m > 0
            if v < 0 { i -= 1; p[i] = UInt8(ascii: "-") }
            append(UnsafePointer(p + i), 24 - i)
        }
    }

    /// A quoted string, escaped as yajl escapes it; unescaped runs are copied whole.
    @inline(__always)
    private mutating func string(_ p: UnsafePointer<UInt8>, _ n: Int) {
        byte(UInt8(ascii: "\""))
        var run = 0
        var i = 0
        while i < n {
            let b = p[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { i += 1; continue }
            if i > run { append(p + run, i - run) }
            Self.escape(b) { append($0, $1) }
            i += 1
            run = i
        }
        if n > run { append(p + run, n - run) }
        byte(UInt8(ascii: "\""))
    }

    /// yajl's escape of one byte below 0x20, or `"` or `\`.
    static func escape(_ b: UInt8, _ body: (UnsafePointer<UInt8>, Int) -> Void) {
        var text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x5C, 0, 0, 0, 0, 0)   // backslash first
        let count: Int
        switch b {
        case 0x0D: text.1 = UInt8(ascii: "r"); count = 2
        case 0x0A: text.1 = UInt8(ascii: "n"); count = 2
        case 0x5C: text.1 = 0x5C; count = 2
        case 0x22: text.1 = 0x22; count = 2
        case 0x0C: text.1 = UInt8(ascii: "f"); count = 2
        case 0x08: text.1 = UInt8(ascii: "b"); count = 2
        case 0x09: text.1 = UInt8(ascii: "t"); count = 2
        default:
            let hex: StaticString = "0123456789ABCDEF"
            text.1 = UInt8(ascii: "u"); text.2 = 0x30; text.3 = 0x30
            text.4 = hex.utf8Start[Int(b >> 4)]; text.5 = hex.utf8Start[Int(b & 0x0F)]
            count = 6
        }
        withUnsafeBytes(of: text) { body($0.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), count) }
    }

    @inline(__always) private func bytes(_ span: ByteSpan, _ arena: UnsafeRawBufferPointer) -> (UnsafePointer<UInt8>, Int)? {
        let start = Int(span.start), count = Int(span.count)
        guard start >= 0, count >= 0, start + count <= arena.count else { return nil }
        guard let base = arena.baseAddress else { return count == 0 ? (Self.nullText, 0) : nil }
        return ((base + start).assumingMemoryBound(to: UInt8.self), count)
    }

    private static let nullText = StaticString("null").utf8Start
    private static let trueText = StaticString("true").utf8Start
    private static let falseText = StaticString("false").utf8Start
}
