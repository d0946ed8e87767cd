/// The decoder's fast path for the most common record: one flat object of
/// scalars — `{"user_id":"u1","amount":12.5,"ts":1764064800123}` — with no
/// escapes. It fills the row exactly as the yajl callbacks would, with the same
/// trie and the same duplicate-key bookkeeping, at a fraction of the cost.
///
/// It accepts only what it fully understands and returns false on anything
/// else: a nested object or array, an escape, a control character, whitespace
/// other than space/tab/CR/LF, any syntax it does not expect, a duplicate key,
/// a number out of range. The caller then resets the row and the parse state
/// and runs yajl on the record, so every error, and every unusual document,
/// is decoded and reported by the one full parser. The document must already
/// have passed the decoder's checks (size, first byte `{`); bytes above 0x7F
/// can only be inside an accepted document's strings and keys, and
/// `sawNonASCII` tells the caller whether to run the UTF-8 check after it.
enum JSONFlatScan {
    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// Decodes the object whose `{` is at `open`. Returns false to hand the record to yajl.
    static func decode(_ p: UnsafePointer<UInt8>, count n: Int, open: Int,
                       _ s: UnsafeMutablePointer<JSONParseState>, _ row: UnsafeMutablePointer<Row>,
                       sawNonASCII: inout Bool) -> Bool {
        var high: UInt8 = 0                              // OR of every string and key byte
        let matcher = s.pointee.matcher
        let generation = s.pointee.generation
        var i = open + 1
        var first = true
        while true {
            while i < n, isSpace(p[i]) { i += 1 }
            guard i < n else { return false }
            if p[i] == UInt8(ascii: "}") {
                guard first else { return false }      // `{"a":1,}`: yajl reports it
                break
            }
            // key
            guard p[i] == UInt8(ascii: "\"") else { return false }
            let keyStart = i + 1
            i = keyStart
            while i < n {
                let b = p[i]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") || b < 0x20 { return false }
                high |= b
                i += 1
            }
            guard i < n else { return false }
            let keyCount = i - keyStart
            i += 1
            while i < n, isSpace(p[i]) { i += 1 }
            guard i < n, p[i] == UInt8(ascii: ":") else { return false }
            i += 1
            while i < n, isSpace(p[i]) { i += 1 }
            guard i < n else { return false }

            let node = matcher.child(of: 0, key: p + keyStart, count: keyCount)
            if node >= 0 {
                if s.pointee.seen[Int(node)] == generation { return false }   // duplicate: yajl reports it
                s.pointee.seen[Int(node)] = generation
            } else {
                guard s.pointee.topKeys.insert(p + keyStart, count: keyCount) == true else { return false }
            }
            let slots = node >= 0 ? matcher.nodes[Int(node)] : JSONFieldMatcher.Node(firstEdge: 0, edgeCount: 0, firstSlot: 0, slotCount: 0, dropped: false)

            // value
            let c = p[i]
            let cell: Cell
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                i = start
                while i < n {
                    let b = p[i]
                    if b == UInt8(ascii: "\"") { break }
                    if b == UInt8(ascii: "\\") || b < 0x20 { return false }
                    high |= b
                    i += 1
                }
                guard i < n else { return false }
                cell = slots.slotCount > 0
                    ? .string(row.pointee.store(UnsafeRawBufferPointer(start: p + start, count: i - start)))
                    : .missing
                i += 1
            } else if c == UInt8(ascii: "-") || isDigit(c) {
                let start = i
                guard let end = numberEnd(p, n, start) else { return false }
                i = end
                if slots.slotCount > 0 {
                    guard let v = JSONNumber.parse(p + start, count: end - start) else { return false }
                    cell = v
                } else {
                    cell = .missing
                }
            } else if c == UInt8(ascii: "t"), literal(p, n, i, "true") {
                cell = .bool(true); i += 4
            } else if c == UInt8(ascii: "f"), literal(p, n, i, "false") {
                cell = .bool(false); i += 5
            } else if c == UInt8(ascii: "n"), literal(p, n, i, "null") {
                cell = .null; i += 4
            } else {
                return false                             // objects, arrays, anything else: yajl
            }
            if slots.slotCount > 0 {
                var k = Int(slots.firstSlot)
                let end = k + Int(slots.slotCount)
                while k < end {
                    let slot = Int(matcher.slots[k])
                    if slot < row.pointee.cells.count { row.pointee.cells[slot] = cell }
                    k += 1
                }
            }
            first = false
            while i < n, isSpace(p[i]) { i += 1 }
            guard i < n else { return false }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            guard p[i] == UInt8(ascii: "}") else { return false }
            break
        }
        i += 1
        while i < n, isSpace(p[i]) { i += 1 }
        sawNonASCII = high >= 0x80
        return i == n                                    // anything after the object: yajl reports it
    }

    /// The end of a JSON number starting at `i` (RFC 8259 grammar), or nil.
    /// The number must be followed by a delimiter.
    @inline(__always)
    private static func numberEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> Int? {
        var i = start
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(p[i]) {
            while i < n, isDigit(p[i]) { i += 1 }
        } else {
            return nil
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            let digits = i
            while i < n, isDigit(p[i]) { i += 1 }
            guard i > digits else { return nil }
        }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            let digits = i
            while i < n, isDigit(p[i]) { i += 1 }
            guard i > digits else { return nil }
        }
        guard i < n else { return nil }                  // the object must still close
        let b = p[i]
        guard isSpace(b) || b == UInt8(ascii: ",") || b == UInt8(ascii: "}") else { return nil }
        return i
    }

    /// `word` at `i`, followed by a delimiter.
    @inline(__always)
    private static func literal(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        let count = word.utf8CodeUnitCount
        guard i + count < n else { return false }
        for k in 0..<count where p[i + k] != w[k] { return false }
        let b = p[i + count]
        return isSpace(b) || b == UInt8(ascii: ",") || b == UInt8(ascii: "}")
    }
}
