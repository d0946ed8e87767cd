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
    private var digits: [UInt8] = []
    private(set) var rows = 0
    private let path: String

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
        digits.reserveCapacity(24)
    }

    var estimatedBytes: Int64 { writer.estimatedFileSize }

    func append(_ row: inout Row, raw: UnsafeRawBufferPointer) throws(FileSinkError) {
        // Check every cell first: a row is written whole or not at all. (Index
        // loops: unoptimized builds heap-allocate generic iterators.)
        var i = 0
        while i < types.count {
            if !CellFit.fits(row.cells[i], types[i], row) {
                throw FileSinkError(.record, "column '\(names[i])' is \(types[i].rawValue); the value does not fit (\(CellFit.describe(row.cells[i])))")
            }
            i += 1
        }
        i = 0
        while i < types.count { appendCell(row.cells[i], types[i], writer.columns[i], row); i += 1 }
        do { try writer.endRow() } catch { throw FileSinkError(.io, "writing \(path): \(error)") }
        rows += 1
    }

    @inline(__always)
    private func appendCell(_ cell: Cell, _ type: FilesSinkSpec.ColumnType, _ c: ColumnWriter, _ row: Row) {
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
    static func fits(_ cell: Cell, _ type: FilesSinkSpec.ColumnType, _ row: Row) -> Bool {
        switch cell {
        case .missing, .null: return true
        case .bool: return type == .boolean || type == .string
        case .string(let s):
            if type == .string { return true }
            if type == .date { return days(row, s) != nil }
            return false
        case .json: return type == .string
        case .int(let v):
            switch type {
            case .int32, .date: return v >= Int64(Int32.min) && v <= Int64(Int32.max)
            case .int64, .timestampMillis, .timestampMicros, .float, .double, .string: return true
            case .boolean: return false
            }
        case .double(let d):
            switch type {
            case .float, .double, .string: return true
            case .int32, .date: return d.rounded(.towardZero) == d && d >= Double(Int32.min) && d <= Double(Int32.max)
            case .int64, .timestampMillis, .timestampMicros: return d.rounded(.towardZero) == d && abs(d) < 9.2e18
            case .boolean: return false
            }
        }
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
