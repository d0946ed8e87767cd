import WeirEngine
import WeirFormats

/// The files sink's column type for a field of the Avro source schema
/// (docs/parquet.md, "Columns"): what the Avro decoder puts in the row for
/// that field, stored as the matching Parquet type.
enum AvroColumnTypes {
    /// The field at `path` of `schema`'s root record (through nullable unions
    /// of records); nil when the schema has no such field.
    static func fieldType(_ schema: AvroSchema, _ path: FieldPath) -> (type: AvroType, nullable: Bool)? {
        var type = schema.root
        var nullable = false
        for name in path.components {
            guard let (record, optional) = recordOf(type), let field = record.field(named: name) else { return nil }
            nullable = nullable || optional
            type = field.type
        }
        return (type, nullable)
    }

    /// The top-level fields of the schema's root record, in schema order.
    static func topLevelFields(_ schema: AvroSchema) -> [String] {
        recordOf(schema.root)?.0.fields.map(\.name) ?? []
    }

    /// The columns of an output field read as it is: one column, or for a
    /// record (alone, or in a union with null) its leaves as a Parquet group
    /// (depth first, named `page.host`, each read from its own input path).
    /// A record stays one JSON-text column when it cannot be a group: a
    /// nullable record with no field that is never null while it is there
    /// (nothing would tell a null record from one of nulls), an empty or
    /// recursive record. Arrays and maps: `column`.
    static func columns(_ name: String, input: FieldPath, _ type: AvroType, nullable: Bool,
                        startingAt index: Int) -> [(column: FilesSinkSpec.Column, input: FieldPath)] {
        var out: [(column: FilesSinkSpec.Column, input: FieldPath)] = []
        if strictRecord(type) != nil,
           leaves(type, nullable: nullable, name: name, input: input.components, records: [], index: index, into: &out) {
            return out
        }
        let (t, n, shape) = column(type, nullable: nullable)
        return [(FilesSinkSpec.Column(name, t, nullable: n, shape: shape), input)]
    }

    private static func leaves(_ type: AvroType, nullable: Bool, name: String, input: [String], records: [FilesSinkSpec.Record],
                               index: Int, into out: inout [(column: FilesSinkSpec.Column, input: FieldPath)]) -> Bool {
        guard let (record, optional) = strictRecord(type) else {
            let (t, n, shape) = column(type, nullable: nullable)
            let dotted = (records.map(\.name) + [name]).joined(separator: ".")
            out.append((FilesSinkSpec.Column(dotted, t, nullable: n, records: records, shape: shape), FieldPath(input)))
            return true
        }
        guard records.count < 8, !record.fields.isEmpty else { return false }   // recursive or empty
        let depth = records.count
        let here = FilesSinkSpec.Record(name, nullable: nullable || optional)
        let start = out.count
        for f in record.fields {
            guard leaves(f.type, nullable: false, name: f.name, input: input + [f.name], records: records + [here],
                         index: index, into: &out) else { return false }
        }
        if here.nullable {
            // The indicator: a REQUIRED leaf with no nullable record between it and this one.
            guard let k = (start..<out.count).first(where: { i in
                !out[i].column.nullable && out[i].column.records[(depth + 1)...].allSatisfy { !$0.nullable }
            }) else { return false }
            for i in start..<out.count { out[i].column.records[depth].indicator = index + k }
        }
        return true
    }

    /// A record, or a union of exactly null and a record.
    private static func strictRecord(_ t: AvroType) -> (AvroRecord, Bool)? {
        switch t.underlying {
        case .record(let r): return (r, false)
        case .union(let branches) where branches.count == 2:
            for (a, b) in [(branches[0], branches[1]), (branches[1], branches[0])] {
                if case .null = a.underlying, case .record(let r) = b.underlying { return (r, true) }
            }
            return nil
        default: return nil
        }
    }

    /// A column type and nullability: a union with `null` is nullable and typed
    /// by its one other branch; a union of several non-null branches is JSON
    /// text; arrays of primitives are LISTs; arrays of records, arrays and maps
    /// are `.nested` with their shape, or JSON text when a part of them has no
    /// Parquet form here (`shape`); records as groups: `columns`.
    static func column(_ t: AvroType, nullable outer: Bool = false) -> (FilesSinkSpec.ColumnType, nullable: Bool, shape: NestedShape?) {
        var t = t
        var nullable = outer
        if case .union(let branches) = t.underlying {
            let present = branches.filter { if case .null = $0.underlying { return false }; return true }
            nullable = nullable || present.count < branches.count
            guard present.count == 1 else { return (.string, true, nil) }
            t = present[0]
        }
        switch t.logicalType {
        case .date?: return (.date, nullable, nil)
        case .timestampMillis?: return (.timestampMillis, nullable, nil)
        case .timestampMicros?: return (.timestampMicros, nullable, nil)
        case .decimal(let p, let s)? where p >= 1 && p <= 38 && s >= 0 && s <= p: return (.decimal(precision: p, scale: s), nullable, nil)
        case .decimal(_, _)?: return (.string, nullable, nil)   // wider than Parquet's 38 digits: the decimal text
        // Local timestamps are not instants: Parquet's TIMESTAMP here is UTC, so they stay plain numbers.
        default: break
        }
        switch t.underlying {
        case .null: return (.string, true, nil)
        case .boolean: return (.boolean, nullable, nil)
        case .int: return (.int32, nullable, nil)
        case .long: return (.int64, nullable, nil)
        case .float: return (.float, nullable, nil)
        case .double: return (.double, nullable, nil)
        case .string, .enumeration: return (.string, nullable, nil)
        case .bytes, .fixed: return (.binary, nullable, nil)
        case .array(let items):
            // An array of primitives: a Parquet LIST (the row holds its JSON text; the sink parses it).
            if isPrimitive(items) {
                let (element, elementNullable, _) = column(items)
                guard let e = FilesSinkSpec.ColumnType.ListElement(element) else { return (.string, nullable, nil) }
                return (.list(e, elementNullable: elementNullable), nullable, nil)
            }
            guard let s = shape(t, depth: 0)?.shape else { return (.string, nullable, nil) }
            return (.nested, nullable, s)
        case .map:
            guard let s = shape(t, depth: 0)?.shape else { return (.string, nullable, nil) }
            return (.nested, nullable, s)
        case .record, .union, .logical: return (.string, nullable, nil)
        }
    }

    /// How deep arrays, maps and records may nest inside one nested column
    /// (a recursive schema has no bound: it stays JSON text).
    static let maxNestedDepth = 8

    /// The Parquet shape of a value inside a nested column, and whether it may
    /// be null; nil when some part has no Parquet form here: bytes, fixed and
    /// decimals inside lists and maps (the JSON renders them as text the striper
    /// does not convert), unions of several types, empty records, recursion
    /// past `maxNestedDepth`.
    static func shape(_ type: AvroType, depth: Int) -> (shape: NestedShape, nullable: Bool)? {
        guard depth <= maxNestedDepth else { return nil }
        var t = type
        var nullable = false
        if case .union(let branches) = t.underlying {
            let present = branches.filter { if case .null = $0.underlying { return false }; return true }
            guard present.count == 1 else { return nil }
            nullable = present.count < branches.count
            t = present[0]
        }
        if case .decimal? = t.logicalType { return nil }
        switch t.underlying {
        case .boolean, .int, .long, .float, .double, .string, .enumeration:
            return (.value(column(t).0), nullable)
        case .array(let items):
            guard let (e, n) = shape(items, depth: depth + 1) else { return nil }
            return (.list(e, elementNullable: n), nullable)
        case .map(let values):
            guard let (v, n) = shape(values, depth: depth + 1) else { return nil }
            return (.map(v, valueNullable: n), nullable)
        case .record(let r):
            guard !r.fields.isEmpty else { return nil }
            var fields: [NestedShape.Field] = []
            for f in r.fields {
                guard let (s, n) = shape(f.type, depth: depth + 1) else { return nil }
                fields.append(NestedShape.Field(f.name, s, nullable: n))
            }
            return (.record(fields), nullable)
        case .null, .bytes, .fixed, .union, .logical: return nil
        }
    }

    /// A type whose values render as JSON scalars (alone or in a union with null).
    private static func isPrimitive(_ t: AvroType) -> Bool {
        if case .union(let branches) = t.underlying {
            let present = branches.filter { if case .null = $0.underlying { return false }; return true }
            return present.count == 1 && isPrimitive(present[0])
        }
        switch t.underlying {
        case .boolean, .int, .long, .float, .double, .string, .enumeration: return true
        default: return false   // bytes/fixed render as strings of code points, records/arrays/maps as JSON
        }
    }

    private static func recordOf(_ t: AvroType) -> (AvroRecord, Bool)? {
        switch t.underlying {
        case .record(let r): return (r, false)
        case .union(let branches):
            var optional = false
            var found: AvroRecord?
            for b in branches {
                switch b.underlying {
                case .record(let r) where found == nil: found = r
                case .null: optional = true
                default: break
                }
            }
            return found.map { ($0, optional) }
        default: return nil
        }
    }
}
