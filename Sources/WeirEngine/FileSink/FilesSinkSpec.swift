import WeirFormats
import WeirParquet

/// What a `files` sink writes (docs/parquet.md, "The files sink"): part files
/// of Parquet or JSON lines under `path`, in Hive-style partition directories,
/// rolled at every checkpoint and on size or age, made visible exactly once.
public struct FilesSinkSpec: Equatable {
    public enum Format: String, Sendable { case parquet, json }

    /// A column of the written rows and the type it is stored as.
    public struct Column: Equatable, Sendable {
        public var name: String
        public var type: ColumnType
        public init(_ name: String, _ type: ColumnType) { self.name = name; self.type = type }
    }

    /// The column types a pipeline can declare (`columns: {ts: timestamp-millis}`).
    public enum ColumnType: String, CaseIterable, Sendable {
        case string, int32, int64, float, double, boolean, date
        case timestampMillis = "timestamp-millis"
        case timestampMicros = "timestamp-micros"

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
    /// A part file is closed when it reaches this size (and at every checkpoint).
    public var rollBytes: Int64 = 128 << 20
    /// ... or this age (ms); nil: only size and checkpoints.
    public var rollIntervalMs: Int64?
    public var rowGroupBytes: Int = 64 << 20
    public var compression: Compression = .zstd
    /// Written into each Parquet file's key-value metadata (`weir.schema`): the columns as JSON.
    public var schemaText: String { FilesSinkSpec.schemaJSON(columns) }

    public init(path: String, format: Format, columns: [Column], partitionBy: [PartitionField] = []) {
        self.path = path; self.format = format; self.columns = columns; self.partitionBy = partitionBy
    }

    /// Expressions compare by the names they fill (compiled nodes have no equality).
    public static func == (a: FilesSinkSpec, b: FilesSinkSpec) -> Bool {
        a.path == b.path && a.format == b.format && a.columns == b.columns && a.partitionBy.map(\.name) == b.partitionBy.map(\.name)
            && a.rollBytes == b.rollBytes && a.rollIntervalMs == b.rollIntervalMs && a.rowGroupBytes == b.rowGroupBytes
            && a.compression == b.compression
    }

    /// File name extension of the part files.
    public var fileExtension: String { format == .parquet ? "parquet" : "jsonl" }

    /// The Parquet schema: every column nullable (a missing field is a null).
    public func parquetSchema() throws(ParquetError) -> ParquetSchema {
        try ParquetSchema(columns.map { ParquetField($0.name, $0.type.parquet, nullable: true) })
    }

    public var parquetOptions: ParquetWriterOptions {
        var o = ParquetWriterOptions()
        switch compression {
        case .zstd: o.compression = .zstd(level: 3)
        case .snappy: o.compression = .snappy
        case .none: o.compression = .none
        }
        o.rowGroupBytes = rowGroupBytes
        return o
    }

    /// `{"columns":[{"name":"ts","type":"timestamp-millis"},…]}` (names are checked identifiers).
    static func schemaJSON(_ columns: [Column]) -> String {
        "{\"columns\":[" + columns.map { "{\"name\":\"\($0.name)\",\"type\":\"\($0.type.rawValue)\"}" }.joined(separator: ",") + "]}"
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
