/// Why the interpreter stopped; turned into a `DecodeError` (with text) only
/// after the record has failed.
enum AvroDecodeFailure {
    case truncated, varintTooLong, intOutOfRange, negativeLength, badUnionIndex(Int64), badEnumIndex(Int64)
    case invalidUTF8, tooDeep, tooManyItems, decimalTooWide, planFailure(Int32), outOfMemory
}

/// Runs a decode plan over one record's Avro binary, writing projected cells
/// and JSON text into the row. A struct on the decoder's stack: no heap, no
/// ARC per record (the plan is held by the caller).
struct AvroDecodeMachine {
    let plan: AvroDecodePlan
    let base: UnsafePointer<UInt8>
    var pos = 0
    let end: Int
    let row: UnsafeMutablePointer<Row>
    let maxDepth: Int
    let maxItems: Int
    var depth = 0
    var items = 0
    var failure: AvroDecodeFailure?
    var failureOffset = 0

    // JSON text state
    var jsonStart = 0
    var first = true
    var afterKey = false
    var jsonDepth = 0
    let firstStack: UnsafeMutablePointer<Bool>                   // maxDepth + 2 entries, owned by the decoder
    var members: UnsafeMutablePointer<RawGrowableBuffer<JSONMember>>
    var memberOpen = false
    /// The whole-record rendering, when the plan makes one.
    var rendered = ByteSpan(start: 0, count: 0)

    @inline(__always) mutating func fail(_ f: AvroDecodeFailure) -> Bool {
        if failure == nil { failure = f; failureOffset = pos }
        return false
    }

    // MARK: reading

    @inline(__always) mutating func long() -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while pos < end {
            let b = base[pos]
            pos += 1
            if shift == 63 && b > 1 { _ = fail(.varintTooLong); return nil }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1))) }
            shift += 7
        }
        _ = fail(.truncated)
        return nil
    }

    @inline(__always) mutating func int(_ int32: Bool) -> Int64? {
        guard let v = long() else { return nil }
        if int32 && (v < Int64(Int32.min) || v > Int64(Int32.max)) { _ = fail(.intOutOfRange); return nil }
        return v
    }

    /// A length prefix checked against the bytes left.
    @inline(__always) mutating func length() -> Int? {
        guard let n = long() else { return nil }
        if n < 0 { _ = fail(.negativeLength); return nil }
        if n > Int64(end - pos) { _ = fail(.truncated); return nil }
        return Int(n)
    }

    @inline(__always) mutating func take(_ n: Int) -> UnsafePointer<UInt8>? {
        if n > end - pos { _ = fail(.truncated); return nil }
        defer { pos += n }
        return base + pos
    }

    // MARK: writing

    @inline(__always) func set(_ slot: Int32, _ cell: Cell) { row.pointee.cells[Int(slot)] = cell }

    @inline(__always) func append(_ b: UInt8) { row.pointee.arena.append(b) }

    @inline(__always) func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        row.pointee.arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
    }

    @inline(__always) func ascii(_ s: StaticString) { append(s.utf8Start, s.utf8CodeUnitCount) }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { b in b.baseAddress.map { append($0, b.count) } } }

    @inline(__always) func stored(_ p: UnsafePointer<UInt8>, _ n: Int) -> ByteSpan {
        let start = row.pointee.arena.count
        append(p, n)
        return ByteSpan(start: start, count: n)
    }

    /// Comma before a value unless it follows a key or is the first of its container.
    @inline(__always) mutating func beforeValue() {
        if afterKey { afterKey = false; return }
        if !first { append(UInt8(ascii: ",")) }
        first = false
    }

    mutating func open(_ bracket: UInt8) -> Bool {
        beforeValue()
        append(bracket)
        guard jsonDepth <= maxDepth else { return fail(.tooDeep) }
        firstStack[jsonDepth] = first
        jsonDepth += 1
        first = true
        return true
    }

    mutating func close(_ bracket: UInt8) {
        if jsonDepth == 1 && memberOpen { closeMember() }
        append(bracket)
        jsonDepth -= 1
        first = firstStack[jsonDepth]
    }

    var offset: Int32 { Int32(truncatingIfNeeded: row.pointee.arena.count - jsonStart) }

    mutating func closeMember() {
        let i = members.pointee.count - 1
        if i >= 0 { var m = members.pointee[i]; m.valueEnd = offset; members.pointee[i] = m }
        memberOpen = false
    }

    mutating func key(_ text: [UInt8], member: Bool, dropped: Bool) -> Bool {
        if member && jsonDepth == 1 && memberOpen { closeMember() }
        if !first { append(UInt8(ascii: ",")) }
        first = false
        let keyStart = offset
        append(text)
        let keyEnd = offset
        append(UInt8(ascii: ":"))
        afterKey = true
        if member && jsonDepth == 1 {
            guard members.pointee.append(JSONMember(keyStart: keyStart, keyEnd: keyEnd, valueStart: offset, valueEnd: offset, dropped: dropped)) else {
                return fail(.outOfMemory)
            }
            memberOpen = true
        }
        return true
    }

    /// A JSON string literal of UTF-8 text.
    func jsonString(_ p: UnsafePointer<UInt8>, _ n: Int) {
        append(UInt8(ascii: "\""))
        // Index loops, not for-in: unoptimized builds heap-allocate generic iterators.
        var run = 0
        var i = 0
        while i < n {
            let b = p[i]
            i += 1
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { continue }
            if i - 1 > run { append(p + run, i - 1 - run) }
            escape(b)
            run = i
        }
        if n > run { append(p + run, n - run) }
        append(UInt8(ascii: "\""))
    }

    /// Bytes as Avro's JSON encoding: a string of code points U+0000–U+00FF.
    func jsonBytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        append(UInt8(ascii: "\""))
        var i = 0
        while i < n {
            let b = p[i]
            i += 1
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { escape(b) }
            else if b < 0x80 { append(b) }
            else { append(0xC0 | (b >> 6)); append(0x80 | (b & 0x3F)) }
        }
        append(UInt8(ascii: "\""))
    }

    private func escape(_ b: UInt8) {
        append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): append(b)
        case 0x0A: append(UInt8(ascii: "n"))
        case 0x0D: append(UInt8(ascii: "r"))
        case 0x09: append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            append(UInt8(ascii: "u")); append(UInt8(ascii: "0")); append(UInt8(ascii: "0"))
            append(hex.utf8Start[Int(b >> 4)]); append(hex.utf8Start[Int(b & 15)])
        }
    }

    func jsonInteger(_ v: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)       // 24 bytes ≥ 20 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            let d = raw.bindMemory(to: UInt8.self)
            var m = v.magnitude
            var n = 0
            repeat { d[n] = UInt8(truncatingIfNeeded: m % 10) + 48; m /= 10; n += 1 } while m > 0
            if v < 0 { append(UInt8(ascii: "-")) }
            while n > 0 { n -= 1; append(d[n]) }
        }
    }

    func jsonDouble(_ text: ShortestDouble, finite: Bool) {
        guard finite else { ascii("null"); return }                   // JSON has no NaN/Infinity
        text.withBytes { p, n in append(p, n) }
    }

    // MARK: the interpreter

    mutating func run(_ program: Int32) -> Bool {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { return fail(.tooDeep) }
        var i = Int(plan.programStarts[Int(program)])
        let stop = Int(plan.programStarts[Int(program) + 1])
        while i < stop {
            guard step(plan.ops[i]) else { return false }
            i += 1
        }
        return true
    }

    @inline(__always) mutating func step(_ op: AvroDecodeOp) -> Bool {
        switch op {
        case .null(let dest):
            if dest >= 0 { set(dest, .null) } else { beforeValue(); ascii("null") }
        case .boolean(let dest):
            guard let p = take(1) else { return false }
            guard p[0] <= 1 else { pos -= 1; return fail(.badEnumIndex(Int64(p[0]))) }
            if dest >= 0 { set(dest, .bool(p[0] == 1)) } else {
                beforeValue(); ascii(p[0] == 1 ? "true" : "false")
            }
        case .integer(let dest, let int32):
            guard let v = int(int32) else { return false }
            if dest >= 0 { set(dest, .int(v)) } else { beforeValue(); jsonInteger(v) }
        case .integerAsDouble(let dest, let int32):
            guard let v = int(int32) else { return false }
            if dest >= 0 { set(dest, .double(Double(v))) } else { beforeValue(); jsonInteger(v) }
        case .float(let dest):
            guard let p = take(4) else { return false }
            let f = Float(bitPattern: UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)))
            if dest >= 0 { set(dest, .double(Double(f))) } else { beforeValue(); jsonDouble(ShortestDouble(f), finite: f.isFinite) }
        case .double(let dest):
            guard let p = take(8) else { return false }
            let d = Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)))
            if dest >= 0 { set(dest, .double(d)) } else { beforeValue(); jsonDouble(ShortestDouble(d), finite: d.isFinite) }
        case .string(let dest):
            guard let n = length() else { return false }
            let p = base + pos
            guard UTF8Validation.isValid(p, count: n) else { return fail(.invalidUTF8) }
            pos += n
            if dest >= 0 { set(dest, .string(stored(p, n))) } else { beforeValue(); jsonString(p, n) }
        case .bytes(let dest):
            guard let n = length() else { return false }
            let p = base + pos
            pos += n
            bytesValue(dest, p, n)
        case .fixed(let dest, let size):
            guard let p = take(Int(size)) else { return false }
            bytesValue(dest, p, Int(size))
        case .decimalBytes(let dest, let precision, let scale):
            guard let n = length() else { return false }
            let p = base + pos
            pos += n
            return decimal(dest, p, n, precision: Int(precision), scale: Int(scale))
        case .decimalFixed(let dest, let size, let precision, let scale):
            guard let p = take(Int(size)) else { return false }
            return decimal(dest, p, Int(size), precision: Int(precision), scale: Int(scale))
        case .enumeration(let dest, let table):
            let at = pos
            guard let index = long() else { return false }
            guard let c = plan.table(table, index), c >= 0 else { pos = at; return fail(.badEnumIndex(index)) }
            constant(dest, c)
        case .union(let table):
            let at = pos
            guard let index = long() else { return false }
            guard let program = plan.table(table, index) else { pos = at; return fail(.badUnionIndex(index)) }
            return run(program)
        case .array(let items):
            guard open(UInt8(ascii: "[")) else { return false }
            guard blocks(items, map: false) else { return false }
            close(UInt8(ascii: "]"))
        case .map(let values):
            guard open(UInt8(ascii: "{")) else { return false }
            guard blocks(values, map: true) else { return false }
            close(UInt8(ascii: "}"))
        case .constant(let dest, let c):
            constant(dest, c)
        case .beginJSON:
            jsonStart = row.pointee.arena.count
            first = true; afterKey = false; jsonDepth = 0
        case .endJSON(let slot):
            let span = ByteSpan(start: jsonStart, count: row.pointee.arena.count - jsonStart)
            if slot >= 0 { set(slot, .json(span)) } else { rendered = span }
        case .openObject:
            return open(UInt8(ascii: "{"))
        case .closeObject:
            close(UInt8(ascii: "}"))
        case .key(let c):
            return key(plan.constants[Int(c)].json, member: false, dropped: false)
        case .memberKey(let c, let dropped):
            return key(plan.constants[Int(c)].json, member: true, dropped: dropped)
        case .skip(let n):
            guard take(Int(n)) != nil else { return false }
        case .skipVarint:
            guard long() != nil else { return false }
        case .skipBytes:
            guard let n = length() else { return false }
            pos += n
        case .skipArray(let items):
            return skipBlocks(items, map: false)
        case .skipMap(let values):
            return skipBlocks(values, map: true)
        case .call(let program):
            return run(program)
        case .fork(let program):
            let at = pos
            guard run(program) else { return false }
            pos = at
        case .fail(let c):
            return fail(.planFailure(c))
        }
        return true
    }

    mutating func bytesValue(_ dest: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) {
        if dest >= 0 {
            let start = row.pointee.arena.count
            jsonBytes(p, n)
            set(dest, .json(ByteSpan(start: start, count: row.pointee.arena.count - start)))
        } else {
            beforeValue(); jsonBytes(p, n)
        }
    }

    mutating func decimal(_ dest: Int32, _ p: UnsafePointer<UInt8>, _ n: Int, precision: Int, scale: Int) -> Bool {
        guard let v = AvroDecimal.unscaled(p, count: n) else { return fail(.decimalTooWide) }
        if dest >= 0 && precision <= 15 {
            set(dest, .double(AvroDecimal.double(v, scale: scale)))
            return true
        }
        if dest < 0 { beforeValue() }
        let start = row.pointee.arena.count
        let arena = row
        AvroDecimal.write(v, scale: scale) { arena.pointee.arena.append($0) }
        if dest >= 0 { set(dest, .string(ByteSpan(start: start, count: row.pointee.arena.count - start))) }
        return true
    }

    mutating func constant(_ dest: Int32, _ index: Int32) {
        let c = plan.constants[Int(index)]
        if dest < 0 { beforeValue(); append(c.json); return }
        switch c.kind {
        case .null: set(dest, .null)
        case .bool: set(dest, .bool(c.int != 0))
        case .int: set(dest, .int(c.int))
        case .double: set(dest, .double(c.double))
        case .string:
            let start = row.pointee.arena.count
            append(c.text)
            set(dest, .string(ByteSpan(start: start, count: c.text.count)))
        case .json:
            let start = row.pointee.arena.count
            append(c.json)
            set(dest, .json(ByteSpan(start: start, count: c.json.count)))
        }
    }

    /// Array/map blocks: a count (negative: followed by the block's byte size), until 0.
    mutating func blocks(_ program: Int32, map: Bool) -> Bool {
        while true {
            guard var count = long() else { return false }
            if count == 0 { return true }
            if count < 0 {
                guard long() != nil else { return false }          // block size, not needed when reading
                count = count == Int64.min ? Int64.max : -count
            }
            guard count <= Int64(maxItems - items) else { return fail(.tooManyItems) }
            items += Int(count)
            while count > 0 {
                count -= 1
                if map {
                    guard let n = length() else { return false }
                    let p = base + pos
                    guard UTF8Validation.isValid(p, count: n) else { return fail(.invalidUTF8) }
                    pos += n
                    if !first { append(UInt8(ascii: ",")) }
                    first = false
                    jsonString(p, n)
                    append(UInt8(ascii: ":"))
                    afterKey = true
                }
                guard run(program) else { return false }
            }
        }
    }

    mutating func skipBlocks(_ program: Int32, map: Bool) -> Bool {
        while true {
            guard var count = long() else { return false }
            if count == 0 { return true }
            if count < 0 {
                guard let size = length() else { return false }  // the block's bytes: skipped in one step
                pos += size
                continue
            }
            guard count <= Int64(maxItems - items) else { return fail(.tooManyItems) }
            items += Int(count)
            while count > 0 {
                if map { guard let n = length() else { return false }; pos += n }
                guard run(program) else { return false }
                count -= 1
            }
        }
    }
}
