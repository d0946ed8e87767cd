import WeirFormats
import WeirParquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the rows of one part file. `finish` completes the file (Parquet
/// footer), fsyncs and closes it; `abandon` closes it unfinished.
protocol PartWriter: AnyObject {
    /// `row` holds the columns (slots in column order); `raw` is the row as JSON.
    func append(_ row: inout Row, raw: UnsafeRawBufferPointer) throws(FileSinkError)
    /// What the file would measure if finished now (roughly, for rolling).
    var estimatedBytes: Int64 { get }
    var rows: Int { get }
    func finish() throws(FileSinkError)
    func abandon()
}

/// Parquet through `WeirParquet`: one column writer per column, values read
/// from the row's cells in place (strings are not copied).
final class ParquetPartWriter: PartWriter {
    private let writer: ParquetWriter
    private let output: FileDescriptorOutput
    private let types: [FilesSinkSpec.ColumnType]
    private let names: [String]
    private let typeTexts: [String]
    private let nullable: [Bool]
    /// Per column: (depth, indicator column) of each nullable record around it, outermost first.
    private let nullChecks: [[(depth: Int, indicator: Int)]]
    // Per-row scratch, written by the task thread alone: no dynamic exclusivity
    // checks (they were ~9% of a Parquet sink's CPU in perf).
    /// Per column, this row: the depth of the outermost null record around it, or -1.
    @exclusivity(unchecked) private var nullDepth: [Int]
    @exclusivity(unchecked) private var digits: [UInt8] = []
    /// A binary cell's bytes, decoded from its JSON string (reused).
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    /// One list cell's elements, parsed from its JSON text (reused), per list column.
    @exclusivity(unchecked) private var elements: [Row]
    @exclusivity(unchecked) private var numberScratch: [UInt8] = []
    @exclusivity(unchecked) private(set) var rows = 0
    private let path: String
    /// Per column: its first Parquet leaf (a nested column has several).
    private let leafStart: [Int]
    /// Per `.nested` column: what stripes its value into its leaves.
    private let stripers: [NestedStriper?]

    init(path: String, spec: FilesSinkSpec, schema: ParquetSchema) throws(FileSinkError) {
        self.path = path
        do {
            output = try FileDescriptorOutput(path: path)
            writer = try ParquetWriter(schema: schema, output: output, options: spec.parquetOptions)
        } catch {
            throw FileSinkError(.io, "cannot create \(path): \(error)")
        }
        writer.keyValueMetadata = [("weir.schema", spec.schemaText)]
        types = spec.columns.map(\.type)
        names = spec.columns.map(\.name)
        typeTexts = spec.columns.map(\.typeText)
        nullable = spec.columns.map(\.nullable)
        nullChecks = spec.columns.map { c in
            c.records.enumerated().compactMap { d, r in r.nullable ? r.indicator.map { (d, $0) } : nil }
        }
        nullDepth = Array(repeating: -1, count: spec.columns.count)
        var start = 0
        leafStart = spec.columns.map { c in defer { start += c.leafCount }; return start }
        stripers = spec.columns.map { c in
            c.shape.map { NestedStriper(shape: $0, nullable: c.nullable, baseDefinition: c.records.filter(\.nullable).count) }
        }
        elements = spec.columns.map { c in
            if case .list = c.type { return Row(slotCount: 0, arenaCapacity: 256) }
            return Row(slotCount: 0, arenaCapacity: 0)
        }
        digits.reserveCapacity(24)
        bytes.reserveCapacity(256)
    }

    var estimatedBytes: Int64 { writer.estimatedFileSize }

    func append(_ row: inout Row, raw: UnsafeRawBufferPointer) throws(FileSinkError) {
        // Check every cell first: a row is written whole or not at all. (Index
        // loops: unoptimized builds heap-allocate generic iterators.)
        var i = 0
        while i < types.count {
            // A leaf of a null record: a null at that record's level, whatever the leaf holds.
            var depth = -1
            var k = 0
            while k < nullChecks[i].count {
                if row.cells[nullChecks[i][k].indicator].isNullish { depth = nullChecks[i][k].depth; break }
                k += 1
            }
            nullDepth[i] = depth
            if depth >= 0 { i += 1; continue }
            if case .nested = types[i], !row.cells[i].isNullish, let striper = stripers[i] {
                guard case .json(let s) = row.cells[i], row.withBytes(s, { striper.fits($0) }) else {
                    var why = CellFit.describe(row.cells[i])
                    if case .json = row.cells[i] { why = "\(striper.problem)" }
                    throw FileSinkError(.record, "column '\(names[i])' is \(typeTexts[i]); the value does not fit (\(why))")
                }
            } else if case .list(let element, let elementNullable) = types[i], !row.cells[i].isNullish {
                if !listFits(row.cells[i], element.column, elementNullable, column: i, row) {
                    throw FileSinkError(.record, "column '\(names[i])' is \(types[i].rawValue); the value does not fit (\(CellFit.describe(row.cells[i])))")
                }
            } else if row.cells[i].isNullish {
                if !nullable[i] { throw FileSinkError(.record, "column '\(names[i])' is required (the source schema has no null for it); the value is null") }
            } else if !CellFit.fits(row.cells[i], types[i], row, scratch: &bytes) {
                throw FileSinkError(.record, "column '\(names[i])' is \(types[i].rawValue); the value does not fit (\(CellFit.describe(row.cells[i])))")
            }
            i += 1
        }
        i = 0
        while i < types.count {
            let leaf = leafStart[i]
            if nullDepth[i] >= 0 {
                let end = i + 1 < leafStart.count ? leafStart[i + 1] : writer.columns.count
                var k = leaf
                while k < end { writer.columns[k].appendNull(depth: nullDepth[i]); k += 1 }
            } else if let striper = stripers[i] {
                let end = i + 1 < leafStart.count ? leafStart[i + 1] : writer.columns.count
                if row.cells[i].isNullish { striper.writeNull(writer.columns[leaf..<end]) }
                else { striper.write(writer.columns[leaf..<end], by: self) }
            } else if case .list(let element, _) = types[i] {
                appendList(row.cells[i], element.column, writer.columns[leaf], column: i)
            } else {
                appendCell(row.cells[i], types[i], writer.columns[leaf], row)
            }
            i += 1
        }
        do { try writer.endRow() } catch { throw FileSinkError(.io, "writing \(path): \(error)") }
        rows += 1
    }

    /// Parses the list cell into `elements[column]` and checks every element.
    private func listFits(_ cell: Cell, _ element: FilesSinkSpec.ColumnType, _ elementNullable: Bool, column: Int, _ row: Row) -> Bool {
        guard case .json(let s) = cell else { return false }
        let parsed = row.withBytes(s) { JSONArrayCells.parse($0, into: &elements[column], number: &numberScratch) }
        guard parsed else { return false }
        var k = 0
        while k < elements[column].cells.count {
            let e = elements[column].cells[k]
            if e.isNullish {
                if !elementNullable { return false }
            } else if !CellFit.fits(e, element, elements[column], scratch: &bytes) {
                return false
            }
            k += 1
        }
        return true
    }

    /// The list `listFits` parsed (or a null list).
    private func appendList(_ cell: Cell, _ element: FilesSinkSpec.ColumnType, _ c: ColumnWriter, column: Int) {
        if cell.isNullish { c.appendNullList(); return }
        c.startList()
        var k = 0
        while k < elements[column].cells.count {
            appendCell(elements[column].cells[k], element, c, elements[column])
            k += 1
        }
        c.endList()
    }

    @inline(__always)
    func appendCell(_ cell: Cell, _ type: FilesSinkSpec.ColumnType, _ c: ColumnWriter, _ row: Row) {
        switch (cell, type) {
        case (.missing, _), (.null, _): c.appendNull()
        case (.string(let s), .string), (.json(let s), .string): row.withBytes(s) { c.append(bytes: $0) }
        case (.int(let v), .string):
            digits.removeAll(keepingCapacity: true)
            CellFit.appendDecimal(v, to: &digits)
            digits.withUnsafeBytes { c.append(bytes: $0) }
        case (.double(let v), .string): c.append("\(v)")
        case (.bool(let v), .string): c.append(v ? "true" : "false")
        case (.string(let s), .date): c.append(Int32(CellFit.days(row, s) ?? 0))
        case (.bool(let v), .boolean): c.append(v)
        case (.string(let s), .binary): row.withBytes(s) { c.append(bytes: $0) }
        case (.json(let s), .binary):
            _ = row.withBytes(s) { CellFit.jsonByteString($0, into: &bytes) }
            bytes.withUnsafeBytes { c.append(bytes: $0) }
        case (_, .decimal(_, let scale)):
            // `fits` checked the value and its precision.
            c.appendDecimal(unscaled: CellFit.unscaled(cell, scale: scale, row) ?? 0)
        default:
            // Numbers: `fits` guaranteed the conversion.
            let i: Int64, d: Double
            switch cell {
            case .int(let v): i = v; d = Double(v)
            case .double(let v): i = Int64(exactly: v.rounded(.towardZero)) ?? 0; d = v
            default: c.appendNull(); return
            }
            switch type {
            case .int32, .date: c.append(Int32(truncatingIfNeeded: i))
            case .int64, .timestampMillis, .timestampMicros: c.append(i)
            case .float: c.append(Float(d))
            case .double: c.append(d)
            default: c.appendNull()
            }
        }
    }

    func finish() throws(FileSinkError) {
        do {
            try writer.close()
            try output.sync()
            try output.close()
        } catch {
            throw FileSinkError(.io, "finishing \(path): \(error)")
        }
    }

    func abandon() { try? output.close() }
}

/// JSON lines: the row as the pipeline encoded it, one per line, through one buffer.
final class JSONLinesPartWriter: PartWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var written: Int64 = 0
    private(set) var rows = 0
    private var closed = false

    init(path: String) throws(FileSinkError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno("cannot create", path) }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if !closed { close(fd) } }

    var estimatedBytes: Int64 { written + Int64(buffer.count) }

    func append(_ row: inout Row, raw: UnsafeRawBufferPointer) throws(FileSinkError) {
        buffer.append(contentsOf: raw)
        buffer.append(0x0A)
        rows += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(FileSinkError) {
        let ok = buffer.withUnsafeBytes { b -> Bool in
            guard var p = b.baseAddress else { return true }
            var left = b.count
            while left > 0 {
                let n = write(fd, p, left)
                if n > 0 { p += n; left -= n; continue }
                if n < 0 && Glibc.errno == EINTR { continue }
                return false
            }
            return true
        }
        guard ok else { throw .errno("cannot write", path) }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(FileSinkError) {
        try flush()
        guard fsync(fd) == 0 else { throw .errno("cannot fsync", path) }
        closed = true
        guard close(fd) == 0 else { throw .errno("cannot close", path) }
    }

    func abandon() {
        if !closed { closed = true; close(fd) }
    }
}

/// Which cells a column type takes, and the conversions (no allocation).
enum CellFit {
    /// `scratch` takes a binary cell's decoded bytes (reused storage).
    static func fits(_ cell: Cell, _ type: FilesSinkSpec.ColumnType, _ row: Row, scratch: inout [UInt8]) -> Bool {
        if case .decimal(let precision, let scale) = type {
            guard let u = unscaled(cell, scale: scale, row) else { return false }
            return u.magnitude < powerOfTen(precision)
        }
        switch cell {
        case .missing, .null: return true
        case .bool: return type == .boolean || type == .string
        case .string(let s):
            if type == .string || type == .binary { return true }
            if type == .date { return days(row, s) != nil }
            return false
        case .json(let s):
            if type == .string { return true }
            if case .list = type { return false }   // lists are checked by the part writer (`listFits`)
            if case .nested = type { return false }   // and nested values (`NestedStriper.fits`)
            // Avro `bytes`/`fixed` arrive as a JSON string of one code point per byte.
            return type == .binary && row.withBytes(s) { jsonByteString($0, into: &scratch) }
        case .int(let v):
            switch type {
            case .int32, .date: return v >= Int64(Int32.min) && v <= Int64(Int32.max)
            case .int64, .timestampMillis, .timestampMicros, .float, .double, .string: return true
            case .boolean, .binary, .decimal, .list, .nested: return false
            }
        case .double(let d):
            switch type {
            case .float, .double, .string: return true
            case .int32, .date: return d.rounded(.towardZero) == d && d >= Double(Int32.min) && d <= Double(Int32.max)
            case .int64, .timestampMillis, .timestampMicros: return d.rounded(.towardZero) == d && abs(d) < 9.2e18
            case .boolean, .binary, .decimal, .list, .nested: return false
            }
        }
    }

    /// 10^n for n in 0...38.
    static func powerOfTen(_ n: Int) -> UInt128 {
        var m: UInt128 = 1
        var i = 0
        while i < n { m &*= 10; i += 1 }
        return m
    }

    /// A number as a decimal's unscaled value (× 10^scale): integers, numbers
    /// whose fraction fits the scale (Avro decimals of up to 15 digits arrive as
    /// doubles: a few ulps of rounding are theirs, not a fraction), and decimal
    /// text (wider Avro decimals, JSON strings). Nil when it does not fit.
    static func unscaled(_ cell: Cell, scale: Int, _ row: Row) -> Int128? {
        switch cell {
        case .int(let v):
            let m = Int128(powerOfTen(scale))
            let (u, o) = Int128(v).multipliedReportingOverflow(by: m)
            return o ? nil : u
        case .double(let d):
            guard d.isFinite else { return nil }
            var x = d
            var i = 0
            while i < scale { x *= 10; i += 1 }
            let r = x.rounded()
            guard abs(r) < 1e38, abs(x - r) <= 8 * x.magnitude.ulp else { return nil }
            return Int128(r)
        case .string(let s):
            return row.withBytes(s) { decimalText($0, scale: scale) }
        default:
            return nil
        }
    }

    /// `-123.4500` → unscaled at `scale`; fraction digits past the scale must be zeros.
    static func decimalText(_ b: UnsafeRawBufferPointer, scale: Int) -> Int128? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        var u: Int128 = 0
        var digits = 0, fraction = 0
        var dot = false
        while i < b.count {
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "."), !dot { dot = true; continue }
            let d = c &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            digits += 1
            if dot {
                fraction += 1
                if fraction > scale { if d != 0 { return nil }; continue }
            }
            let (m, o1) = u.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(d))
            if o1 || o2 { return nil }
            u = a
        }
        guard digits > 0 else { return nil }
        while fraction < scale {
            let (m, o) = u.multipliedReportingOverflow(by: 10)
            if o { return nil }
            u = m; fraction += 1
        }
        return negative ? -u : u
    }

    /// The bytes of a JSON string whose code points are all ≤ U+00FF (Avro's
    /// JSON form of `bytes`), into `out`. False for anything else.
    static func jsonByteString(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard b.count >= 2, b[0] == UInt8(ascii: "\""), b[b.count - 1] == UInt8(ascii: "\"") else { return false }
        var i = 1
        let end = b.count - 1
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                guard i + 1 < end else { return false }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= end, let h0 = hex(b[i]), let h1 = hex(b[i + 1]), let h2 = hex(b[i + 2]), let h3 = hex(b[i + 3]),
                          h0 == 0, h1 == 0 else { return false }
                    out.append(h2 << 4 | h3)
                    i += 4
                default: return false
                }
            } else if c < 0x80 {
                out.append(c); i += 1
            } else if c == 0xC2 || c == 0xC3, i + 1 < end, b[i + 1] & 0xC0 == 0x80 {
                out.append((c & 0x03) << 6 | (b[i + 1] & 0x3F)); i += 2
            } else {
                return false
            }
        }
        return true
    }

    static func describe(_ cell: Cell) -> String {
        switch cell {
        case .missing, .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number with a fraction"
        case .string: return "a string"
        case .json: return "an object or array"
        }
    }

    static func appendDecimal(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var lo = out.count
        repeat { out.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 } while m > 0
        var hi = out.count - 1
        while lo < hi { out.swapAt(lo, hi); lo += 1; hi -= 1 }
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` string; nil for anything else.
    static func days(_ row: Row, _ s: ByteSpan) -> Int64? {
        row.withBytes(s) { b -> Int64? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            func num(_ r: Range<Int>) -> Int64? {
                var v: Int64 = 0
                for i in r { let d = b[i] &- UInt8(ascii: "0"); guard d < 10 else { return nil }; v = v * 10 + Int64(d) }
                return v
            }
            guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), (1...31).contains(d) else { return nil }
            return CivilDate.days(year: y, month: m, day: d)
        }
    }
}
