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

    /// A column type and nullability: a union with `null` is nullable and typed
    /// by its one other branch; a union of several non-null branches, records,
    /// arrays and maps are JSON text (docs/parquet.md: no nested columns yet).
    static func column(_ t: AvroType, nullable outer: Bool = false) -> (FilesSinkSpec.ColumnType, nullable: Bool) {
        var t = t
        var nullable = outer
        if case .union(let branches) = t.underlying {
            let present = branches.filter { if case .null = $0.underlying { return false }; return true }
            nullable = nullable || present.count < branches.count
            guard present.count == 1 else { return (.string, true) }
            t = present[0]
        }
        switch t.logicalType {
        case .date?: return (.date, nullable)
        case .timestampMillis?: return (.timestampMillis, nullable)
        case .timestampMicros?: return (.timestampMicros, nullable)
        case .decimal(let p, let s)? where p >= 1 && p <= 38 && s >= 0 && s <= p: return (.decimal(precision: p, scale: s), nullable)
        case .decimal(_, _)?: return (.string, nullable)   // wider than Parquet's 38 digits: the decimal text
        // Local timestamps are not instants: Parquet's TIMESTAMP here is UTC, so they stay plain numbers.
        default: break
        }
        switch t.underlying {
        case .null: return (.string, true)
        case .boolean: return (.boolean, nullable)
        case .int: return (.int32, nullable)
        case .long: return (.int64, nullable)
        case .float: return (.float, nullable)
        case .double: return (.double, nullable)
        case .string, .enumeration: return (.string, nullable)
        case .bytes, .fixed: return (.binary, nullable)
        case .record, .array, .map, .union, .logical: return (.string, nullable)
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
