import WeirFormats
import WeirParquet

/// What a `files` sink writes (docs/parquet.md, "The files sink"): part files
/// of Parquet or JSON lines under `path`, in Hive-style partition directories,
/// rolled at every checkpoint and on size or age, made visible exactly once.
public struct FilesSinkSpec: Equatable {
    public enum Format: String, Sendable { case parquet, json }

    /// A column of the written rows and the type it is stored as.
    public struct Column: Equatable, Sendable {
        /// The field's name; for a leaf of a nested record, its path joined by dots (`page.host`).
        public var name: String
        public var type: ColumnType
        /// False for a field the Avro source schema says is never null: the
        /// Parquet column is REQUIRED, and a row with a null there is refused.
        public var nullable: Bool
        /// The records around a leaf (outermost first; empty for a top-level
        /// column): written as Parquet groups.
        public var records: [Record]
        /// For `.nested` columns: the value's shape (several Parquet leaves).
        public var shape: NestedShape?
        public init(_ name: String, _ type: ColumnType, nullable: Bool = true, records: [Record] = [], shape: NestedShape? = nil) {
            self.name = name; self.type = type; self.nullable = nullable; self.records = records; self.shape = shape
        }

        /// The Parquet type of this column's top node.
        public var parquet: ParquetType { shape?.parquet ?? type.parquet }
        /// How many Parquet leaf columns it writes.
        public var leafCount: Int { shape?.leafCount ?? 1 }
        /// The type as the schema metadata names it.
        public var typeText: String { shape?.text ?? type.rawValue }

        /// The path of names from the top-level field to this leaf.
        public var path: [String] { records.map(\.name) + [String(name.split(separator: ".").last ?? "")] }
    }

    /// A record around leaf columns. A nullable record is null in a row when
    /// its `indicator` column (a leaf that is never null while the record is
    /// there) holds no value.
    public struct Record: Equatable, Sendable {
        public var name: String
        public var nullable: Bool
        public var indicator: Int?
        public init(_ name: String, nullable: Bool, indicator: Int? = nil) {
            self.name = name; self.nullable = nullable; self.indicator = indicator
        }
    }

    /// The column types a pipeline can declare (`columns: {ts: timestamp-millis, price: decimal(10,2)}`).
    public enum ColumnType: Equatable, Sendable {
        case string, int32, int64, float, double, boolean, date, binary
        case timestampMillis, timestampMicros
        /// Written as Parquet DECIMAL (unscaled integer; precision 1–38, scale 0–precision).
        case decimal(precision: Int, scale: Int)
        /// A Parquet LIST (3-level) of a primitive type: an Avro array of primitives,
        /// held in the row as its JSON text (not declarable in `columns`).
        case list(ListElement, elementNullable: Bool)
        /// Lists of records or lists, maps: the shape is the column's `shape`
        /// (no payload here: the per-row path copies column types).
        case nested

        /// What a LIST column holds. Its own enum, not ColumnType: an indirect
        /// ColumnType costs a retain/release on every copy in the per-row path.
        public enum ListElement: Equatable, Sendable {
            case string, int32, int64, float, double, boolean, date, timestampMillis, timestampMicros

            public init?(_ t: ColumnType) {
                switch t {
                case .string: self = .string
                case .int32: self = .int32
                case .int64: self = .int64
                case .float: self = .float
                case .double: self = .double
                case .boolean: self = .boolean
                case .date: self = .date
                case .timestampMillis: self = .timestampMillis
                case .timestampMicros: self = .timestampMicros
                default: return nil
                }
            }

            public var column: ColumnType {
                switch self {
                case .string: .string
                case .int32: .int32
                case .int64: .int64
                case .float: .float
                case .double: .double
                case .boolean: .boolean
                case .date: .date
                case .timestampMillis: .timestampMillis
                case .timestampMicros: .timestampMicros
                }
            }
        }

        /// The names a pipeline file may use, for messages and hints.
        public static let names = ["string", "int32", "int64", "float", "double", "boolean", "date", "binary",
                                   "timestamp-millis", "timestamp-micros", "decimal(P,S)"]

        /// `decimal(10,2)` and the plain names; nil for anything else.
        public init?(rawValue: String) {
            switch rawValue {
            case "string": self = .string
            case "int32": self = .int32
            case "int64": self = .int64
            case "float": self = .float
            case "double": self = .double
            case "boolean": self = .boolean
            case "date": self = .date
            case "binary": self = .binary
            case "timestamp-millis": self = .timestampMillis
            case "timestamp-micros": self = .timestampMicros
            default:
                let t = rawValue.filter { $0 != " " }
                guard t.hasPrefix("decimal("), t.hasSuffix(")") else { return nil }
                let parts = t.dropFirst(8).dropLast().split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count == 2, let p = Int(parts[0]), let sc = Int(parts[1]),
                      (1...38).contains(p), (0...p).contains(sc) else { return nil }
                self = .decimal(precision: p, scale: sc)
            }
        }

        public var rawValue: String {
            switch self {
            case .string: "string"
            case .int32: "int32"
            case .int64: "int64"
            case .float: "float"
            case .double: "double"
            case .boolean: "boolean"
            case .date: "date"
            case .binary: "binary"
            case .timestampMillis: "timestamp-millis"
            case .timestampMicros: "timestamp-micros"
            case .decimal(let p, let sc): "decimal(\(p),\(sc))"
            case .list(let e, let n): "list<\(e.column.rawValue)\(n ? "?" : "")>"
            case .nested: "nested"
            }
        }

        public var parquet: ParquetType {
            switch self {
            case .string: .string
            case .int32: .int32
            case .int64: .int64
            case .float: .float
            case .double: .double
            case .boolean: .boolean
            case .date: .date
            case .timestampMillis: .timestamp(.millis)
            case .timestampMicros: .timestamp(.micros)
            case .binary: .binary
            case .decimal(let p, let sc): .decimal(precision: p, scale: sc)
            case .list(let e, let n): .list(element: e.column.parquet, elementNullable: n)
            case .nested: .string   // never used: a nested column's type is its shape's (`Column.parquet`)
            }
        }
    }

    /// One `partitionBy` entry: the directory level `name=value`, value computed over the output row.
    public struct PartitionField {
        public var name: String
        /// Evaluated over a row whose slots are `columns` in order.
        public var expression: RowExpression
        public init(name: String, expression: RowExpression) { self.name = name; self.expression = expression }
    }

    public enum Compression: String, Sendable { case zstd, snappy, none }

    /// The base directory (created if missing).
    public var path: String
    public var format: Format
    /// The row's columns (Parquet schema, and what partition expressions read).
    public var columns: [Column]
    public var partitionBy: [PartitionField]
    /// Where each column's cell is in the row the pipeline hands the sink:
    /// column `i` is slot `sourceSlots[i]` (a stateless pipeline's row, or a
    /// window/reduce result row). Identity unless the compiler says otherwise.
    public var sourceSlots: [Int]
    /// A part file is closed when it reaches this size (and at every checkpoint).
    public var rollBytes: Int64 = 128 << 20
    /// ... or this age (ms); nil: only size and checkpoints.
    public var rollIntervalMs: Int64?
    public var rowGroupBytes: Int = 64 << 20
    /// Parquet data page size (uncompressed); not a pipeline setting (tests vary it).
    public var pageBytes: Int = 1 << 20
    public var compression: Compression = .zstd
    /// Set when the columns are the Avro source schema's but only the schema
    /// registry knows it: the subject whose latest schema gives them at job
    /// start (`RegistryColumns` in WeirJobs recompiles the pipeline with it).
    /// `columns` are empty until then; a sink cannot start with it set.
    public var columnsFromSubject: String?
    /// Written into each Parquet file's key-value metadata (`weir.schema`): the columns as JSON.
    public var schemaText: String { FilesSinkSpec.schemaJSON(columns) }

    public init(path: String, format: Format, columns: [Column], partitionBy: [PartitionField] = []) {
        self.path = path; self.format = format; self.columns = columns; self.partitionBy = partitionBy
        sourceSlots = Array(columns.indices)
    }

    /// Expressions compare by the names they fill (compiled nodes have no equality).
    public static func == (a: FilesSinkSpec, b: FilesSinkSpec) -> Bool {
        a.path == b.path && a.format == b.format && a.columns == b.columns && a.partitionBy.map(\.name) == b.partitionBy.map(\.name) && a.sourceSlots == b.sourceSlots
            && a.rollBytes == b.rollBytes && a.rollIntervalMs == b.rollIntervalMs && a.rowGroupBytes == b.rowGroupBytes && a.pageBytes == b.pageBytes
            && a.compression == b.compression && a.columnsFromSubject == b.columnsFromSubject
    }

    /// File name extension of the part files.
    public var fileExtension: String { format == .parquet ? "parquet" : "jsonl" }

    /// The Parquet schema: columns are nullable (a missing field is a null)
    /// unless the Avro source schema says the field never is.
    public func parquetSchema() throws(ParquetError) -> ParquetSchema {
        try ParquetSchema(Self.fields(columns[...], depth: 0))
    }

    /// Consecutive leaves of one record become one group (they are kept in schema order).
    private static func fields(_ cols: ArraySlice<Column>, depth: Int) -> [ParquetField] {
        var out: [ParquetField] = []
        var i = cols.startIndex
        while i < cols.endIndex {
            let c = cols[i]
            guard depth < c.records.count else {
                out.append(ParquetField(c.path[depth], c.parquet, nullable: c.nullable))
                i += 1
                continue
            }
            let record = c.records[depth]
            var j = i + 1
            while j < cols.endIndex, cols[j].records.count > depth, cols[j].records[depth].name == record.name { j += 1 }
            out.append(ParquetField(record.name, .group(fields(cols[i..<j], depth: depth + 1)), nullable: record.nullable))
            i = j
        }
        return out
    }

    public var parquetOptions: ParquetWriterOptions {
        var o = ParquetWriterOptions()
        switch compression {
        case .zstd: o.compression = .zstd(level: 3)
        case .snappy: o.compression = .snappy
        case .none: o.compression = .none
        }
        o.rowGroupBytes = rowGroupBytes
        o.pageBytes = pageBytes
        return o
    }

    /// `{"columns":[{"name":"ts","type":"timestamp-millis"},…]}` (names are checked identifiers).
    static func schemaJSON(_ columns: [Column]) -> String {
        "{\"columns\":[" + columns.map { "{\"name\":\"\($0.name)\",\"type\":\"\($0.typeText)\"\($0.nullable ? "" : ",\"nullable\":false")}" }.joined(separator: ",") + "]}"
    }

    /// The column type a result field of a window/reduce stage is written as.
    public static func columnType(for t: ResultFieldType) -> ColumnType {
        switch t {
        case .timestampMillis: return .timestampMillis
        case .list: return .string   // the JSON array as text
        case .cells(let kinds):
            let k = kinds.nonNull
            if k == .int { return .int64 }
            if !k.isEmpty && k.isSubset(of: .number) { return .double }
            if k == .bool { return .boolean }
            return .string            // strings, and mixed or nested values as JSON text
        }
    }
}
