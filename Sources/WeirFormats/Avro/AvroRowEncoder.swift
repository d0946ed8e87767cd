import Glibc

/// Writes rows as Confluent-framed Avro records of one schema: magic byte 0,
/// the schema's registry id, then each field of the (record) schema in order,
/// its value taken from a row slot.
///
/// Per record nothing is allocated for primitive, logical, enum, union and
/// bytes/fixed fields; nested records, arrays and maps are taken from `.json`
/// cells (their JSON text) and parsed into a value tree first, which does
/// allocate (docs/avro.md). One encoder per task thread; not thread-safe.
public final class AvroRowEncoder {
    public let schema: AvroSchema
    public let schemaID: UInt32
    private let fields: [Field]
    private var writer = AvroBinaryWriter()

    struct Field {
        var name: String
        var type: AvroType
        var slot: Int?
        /// The default, already encoded (nil: the field has no default).
        var encodedDefault: [UInt8]?
    }

    /// - Parameter fields: for each field of the schema's top-level record,
    ///   the row slot its value comes from (nil: always its default).
    public init(schema: AvroSchema, schemaID: UInt32, slots: [String: Int]) throws(AvroSchemaError) {
        guard case .record(let r) = schema.root.underlying else {
            throw AvroSchemaError("an output schema must be a record")
        }
        self.schema = schema
        self.schemaID = schemaID
        var out: [Field] = []
        for f in r.fields {
            var encoded: [UInt8]?
            if let d = f.defaultValue {
                var w = AvroBinaryWriter()
                guard Self.encodeJSON(d, f.type, &w) else { throw AvroSchemaError("default of field '\(f.name)' cannot be encoded") }
                encoded = Array(UnsafeBufferPointer(start: w.buffer.base, count: w.buffer.count))
                w.buffer.deallocate()
            }
            out.append(Field(name: f.name, type: f.type, slot: slots[f.name], encodedDefault: encoded))
        }
        fields = out
    }

    deinit { writer.buffer.deallocate() }

    /// The framed record; the bytes are valid until the next call on this encoder.
    public func encode(row: Row) throws(EncodeError) -> UnsafeRawBufferPointer {
        writer.startFrame(schemaID: schemaID)
        var i = 0
        while i < fields.count {
            let f = fields[i]
            i += 1
            let cell: Cell = f.slot.map { $0 < row.cells.count ? row.cells[$0] : .missing } ?? .missing
            if case .missing = cell, let d = f.encodedDefault {
                writer.bytes(d)
                continue
            }
            if let problem = write(cell, f.type, row) {
                throw EncodeError(.generator, field: f.name, problem)
            }
        }
        guard writer.ok else { throw EncodeError(.generator, "out of memory for the output") }
        return UnsafeRawBufferPointer(start: writer.buffer.base, count: writer.buffer.count)
    }

    /// Writes one value; returns why it cannot, or nil.
    private func write(_ cell: Cell, _ type: AvroType, _ row: Row) -> String? {
        switch (type.underlying, cell) {
        case (.union(let branches), _):
            guard let i = Self.branch(for: cell, branches, row) else { return "no branch of the union fits a \(cell.kindName)" }
            writer.long(Int64(i))
            return write(cell, branches[i], row)
        case (.null, .null), (.null, .missing): return nil
        case (_, .missing): return "missing, and the field has no default"
        case (.boolean, .bool(let b)): writer.byte(b ? 1 : 0)
        case (.int, .int(let v)):
            if case .decimal? = type.logicalType { return decimal(cell, type, row) }
            guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else { return "\(v) does not fit an int" }
            writer.long(v)
        case (.long, .int(let v)): writer.long(v)
        case (.int, .double(let d)), (.long, .double(let d)):
            guard d.rounded() == d, let v = Int64(exactly: d) else { return "\(d) is not an integer" }
            if case .int = type.underlying, v < Int64(Int32.min) || v > Int64(Int32.max) { return "\(v) does not fit an int" }
            writer.long(v)
        case (.float, .int(let v)): writer.float(Float(v))
        case (.float, .double(let d)): writer.float(Float(d))
        case (.double, .int(let v)): writer.double(Double(v))
        case (.double, .double(let d)): writer.double(d)
        case (.string, .string(let s)):
            row.withBytes(s) { b in writer.lengthPrefixed(b.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? Self.empty, b.count) }
        case (.bytes, _), (.fixed, _):
            if case .decimal = type.logicalType { return decimal(cell, type, row) }
            return bytes(cell, type, row)
        case (.enumeration(let e), .string(let s)):
            let index: Int? = row.withBytes(s) { b in
                var i = 0                                    // index loops: no generic iterators per record
                while i < e.symbols.count {
                    var sym = e.symbols[i]
                    let same = sym.withUTF8 { u -> Bool in
                        guard u.count == b.count else { return false }
                        guard let up = u.baseAddress, let bp = b.baseAddress else { return true }   // both empty
                        return memcmp(up, bp, u.count) == 0
                    }
                    if same { return i }
                    i += 1
                }
                return nil
            }
            guard let index else { return "'\(row.string(s))' is not a symbol of \(e.fullName)" }
            writer.long(Int64(index))
        case (.record, .json(let s)), (.array, .json(let s)), (.map, .json(let s)):
            // Nested values travel as JSON text in the row; parsed here (allocates).
            guard let v = try? JSONValue.parse(row.string(s)), Self.encodeJSON(v, type, &writer) else {
                return "the value does not match \(type.typeName)"
            }
        default:
            return "a \(cell.kindName) cannot be written as \(type.typeName)"
        }
        return nil
    }

    private func bytes(_ cell: Cell, _ type: AvroType, _ row: Row) -> String? {
        var size: Int?
        if case .fixed(let f) = type.underlying { size = f.size }
        switch cell {
        case .string(let s):
            return row.withBytes(s) { b -> String? in
                if let size, b.count != size { return "fixed of size \(size) given \(b.count) bytes" }
                let p = b.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? Self.empty
                if size == nil { writer.lengthPrefixed(p, b.count) } else { writer.bytes(p, b.count) }
                return nil
            }
        case .json(let s):
            // Avro's JSON encoding of bytes: a JSON string of code points 0–255.
            guard case .string(let text)? = try? JSONValue.parse(row.string(s)),
                  text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return "not a string of bytes" }
            let raw = text.unicodeScalars.map { UInt8($0.value) }
            if let size, raw.count != size { return "fixed of size \(size) given \(raw.count) bytes" }
            if size == nil { writer.long(Int64(raw.count)) }
            writer.bytes(raw)
            return nil
        default:
            return "a \(cell.kindName) cannot be written as bytes"
        }
    }

    private func decimal(_ cell: Cell, _ type: AvroType, _ row: Row) -> String? {
        guard case .decimal(let precision, let scale)? = type.logicalType else { return "not a decimal" }
        var unscaled: Int128?
        switch cell {
        case .int(let v): unscaled = AvroDecimalText.scale(Int128(v), by: scale)
        case .double(let d):
            let factor = scale <= 22 ? AvroDecimal.powersOfTen[scale] : Double(sign: .plus, exponent: 0, significand: 1) * Double(AvroDecimalText.power(scale))
            let scaled = (d * factor).rounded()
            unscaled = scaled.isFinite && abs(scaled) < 1e38 ? Int128(scaled) : nil
        case .string(let s): unscaled = row.withBytes(s) { AvroDecimalText.parse($0, scale: scale) }
        default: return "a \(cell.kindName) cannot be written as decimal"
        }
        guard let unscaled else { return "not a decimal of scale \(scale)" }
        guard unscaled.magnitude < AvroDecimalText.power(precision) else { return "more than \(precision) digits" }
        var size: Int?
        if case .fixed(let f) = type.underlying { size = f.size }
        return writer.decimal(unscaled, size: size) ? nil : "does not fit the fixed size"
    }

    /// The union branch for a cell: null for missing/null, else the first branch of a fitting kind.
    static func branch(for cell: Cell, _ branches: [AvroType], _ row: Row) -> Int? {
        func first(_ ok: (AvroType) -> Bool) -> Int? {
            var i = 0                                        // index loops: no generic iterators per record
            while i < branches.count { if ok(branches[i]) { return i }; i += 1 }
            return nil
        }
        switch cell {
        case .missing, .null: return first { if case .null = $0.underlying { return true }; return false }
        case .bool: return first { if case .boolean = $0.underlying { return true }; return false }
        case .int:
            return first { t in switch t.underlying { case .long, .int: return true; default: return false } }
                ?? first { t in switch t.underlying { case .double, .float: return true; default: return false } }
        case .double:
            return first { t in switch t.underlying { case .double, .float: return true; default: return false } }
                ?? first { t in if case .decimal? = t.logicalType { return true }; return false }
        case .string:
            return first { t in switch t.underlying { case .string, .enumeration: return true; default: return false } }
                ?? first { t in switch t.underlying { case .bytes, .fixed: return true; default: return false } }
        case .json(let s):
            let lead: UInt8 = row.withBytes(s) { $0.first ?? 0 }
            return first { t in
                switch (t.underlying, lead) {
                case (.record, UInt8(ascii: "{")), (.map, UInt8(ascii: "{")), (.array, UInt8(ascii: "[")),
                     (.bytes, UInt8(ascii: "\"")), (.fixed, UInt8(ascii: "\"")): return true
                default: return false
                }
            }
        }
    }

    /// A JSON value as a Confluent-framed Avro record of `schema` (tools, samples
    /// and tests; allocates). Nil when the value does not fit the schema.
    public static func encode(json: JSONValue, schema: AvroSchema, schemaID: UInt32) -> [UInt8]? {
        var w = AvroBinaryWriter()
        defer { w.buffer.deallocate() }
        w.bytes(ConfluentFrame.header(schemaID: schemaID))
        guard encodeJSON(json, schema.root, &w) else { return nil }
        return Array(UnsafeBufferPointer(start: w.buffer.base, count: w.buffer.count))
    }

    /// A JSON value (default or nested value) encoded by its schema (control plane / nested values).
    static func encodeJSON(_ v: JSONValue, _ type: AvroType, _ w: inout AvroBinaryWriter) -> Bool {
        switch (type.underlying, v) {
        case (.union(let branches), _):
            // Nested unions of a value may take any branch (not a default's first).
            guard let i = branches.firstIndex(where: { AvroDefaults.matches(v, $0, anyBranch: true) }) else { return false }
            w.long(Int64(i))
            return encodeJSON(v, branches[i], &w)
        case (.null, .null): return true
        case (.boolean, .bool(let b)): w.byte(b ? 1 : 0)
        case (.int, .int(let i)), (.long, .int(let i)): w.long(i)
        case (.float, .int(let i)): w.float(Float(i))
        case (.float, .double(let d)): w.float(Float(d))
        case (.double, .int(let i)): w.double(Double(i))
        case (.double, .double(let d)): w.double(d)
        case (.string, .string(let s)):
            let b = Array(s.utf8); w.long(Int64(b.count)); w.bytes(b)
        case (.bytes, .string(let s)):
            guard s.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return false }
            let b = s.unicodeScalars.map { UInt8($0.value) }; w.long(Int64(b.count)); w.bytes(b)
        case (.fixed(let f), .string(let s)):
            let b = s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            guard b.count == f.size, s.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return false }
            w.bytes(b)
        case (.enumeration(let e), .string(let s)):
            guard let i = e.symbols.firstIndex(of: s) else { return false }
            w.long(Int64(i))
        case (.array(let items), .array(let a)):
            if !a.isEmpty { w.long(Int64(a.count)); for x in a { guard encodeJSON(x, items, &w) else { return false } } }
            w.long(0)
        case (.map(let values), .object(let o)):
            if !o.isEmpty {
                w.long(Int64(o.count))
                for k in o.keys.sorted() {
                    let kb = Array(k.utf8); w.long(Int64(kb.count)); w.bytes(kb)
                    guard let x = o[k], encodeJSON(x, values, &w) else { return false }
                }
            }
            w.long(0)
        case (.record(let r), .object(let o)):
            for f in r.fields {
                guard let x = o[f.name] ?? f.defaultValue, encodeJSON(x, f.type, &w) else { return false }
            }
        default: return false
        }
        return w.ok
    }

    private static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1); p.initialize(to: 0); return UnsafePointer(p)
    }()
}

extension Cell {
    /// The cell's kind in words, for error messages.
    public var kindName: String {
        switch self {
        case .missing: return "missing value"
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "double"
        case .string: return "string"
        case .json: return "object/array"
        }
    }
}

/// Exact decimal text ↔ unscaled integers.
enum AvroDecimalText {
    static func power(_ n: Int) -> UInt128 {
        var p: UInt128 = 1
        var i = min(max(n, 0), 38)
        while i > 0 { p *= 10; i -= 1 }
        return p
    }

    static func scale(_ v: Int128, by scale: Int) -> Int128? {
        let (r, overflow) = v.multipliedReportingOverflow(by: Int128(power(scale)))
        return overflow ? nil : r
    }

    /// `-12.340` at scale 2 → -1234; nil if not a number or more fraction digits than the scale (non-zero).
    static func parse(_ b: UnsafeRawBufferPointer, scale: Int) -> Int128? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        var v: Int128 = 0
        var digits = 0, fraction = -1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "."), fraction < 0 { fraction = 0; i += 1; continue }
            guard c >= 48 && c <= 57 else { return nil }
            if fraction >= 0 { fraction += 1 }
            if fraction > scale { guard c == 48 else { return nil }; i += 1; continue }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(c - 48))
            guard !o1, !o2 else { return nil }
            v = a; digits += 1; i += 1
        }
        guard digits > 0 else { return nil }
        let f = max(fraction, 0)
        if f < scale { guard let s = AvroDecimalText.scale(v, by: scale - f) else { return nil }; v = s }
        return negative ? -v : v
    }
}
