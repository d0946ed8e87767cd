import WeirParquet

/// The type of a files-sink column holding a nested value that is more than a
/// list of primitives: lists of records, lists of lists, maps (from the Avro
/// source schema). The row holds the value as JSON text (what the Avro decoder
/// renders); the part writer stripes it into the Parquet leaves
/// (`NestedStriper`). Kept out of `ColumnType` itself, which stays trivially
/// copyable on the per-row path (`ColumnType.nested` has no payload).
public indirect enum NestedShape: Equatable, Sendable {
    /// A primitive leaf (not `.list`, not `.nested`).
    case value(FilesSinkSpec.ColumnType)
    case record([Field])
    case list(NestedShape, elementNullable: Bool)
    /// A map with string keys (Avro maps have string keys).
    case map(NestedShape, valueNullable: Bool)

    public struct Field: Equatable, Sendable {
        public var name: String
        public var shape: NestedShape
        public var nullable: Bool
        public init(_ name: String, _ shape: NestedShape, nullable: Bool) {
            self.name = name; self.shape = shape; self.nullable = nullable
        }
    }

    public var parquet: ParquetType {
        switch self {
        case .value(let t): t.parquet
        case .record(let fields): .group(fields.map { ParquetField($0.name, $0.shape.parquet, nullable: $0.nullable) })
        case .list(let e, let n): .list(element: e.parquet, elementNullable: n)
        case .map(let v, let n): .map(key: .string, value: v.parquet, valueNullable: n)
        }
    }

    /// The Parquet leaf columns under this value.
    public var leafCount: Int {
        switch self {
        case .value: 1
        case .record(let fields): fields.reduce(0) { $0 + $1.shape.leafCount }
        case .list(let e, _): e.leafCount
        case .map(let v, _): 1 + v.leafCount
        }
    }

    /// `list<record<a:int64,b:string?>>`, `map<string,list<int64?>>` (`?`: nullable), for the schema metadata and messages.
    public var text: String {
        switch self {
        case .value(let t): t.rawValue
        case .record(let fields): "record<" + fields.map { "\($0.name):\($0.shape.text)\($0.nullable ? "?" : "")" }.joined(separator: ",") + ">"
        case .list(let e, let n): "list<\(e.text)\(n ? "?" : "")>"
        case .map(let v, let n): "map<string,\(v.text)\(n ? "?" : "")>"
        }
    }
}
