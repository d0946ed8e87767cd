/// The column types Weir writes, each mapped to a physical type and annotation.
public indirect enum ParquetType: Sendable, Equatable {
    case boolean
    case int32
    case int64
    case float
    case double
    /// UTF-8 text (BYTE_ARRAY, STRING).
    case string
    /// Raw bytes (BYTE_ARRAY, no annotation).
    case binary
    /// Days since 1970-01-01 (INT32, DATE).
    case date
    /// Instants since the epoch, adjusted to UTC (INT64, TIMESTAMP).
    case timestamp(TimeUnit)
    /// Unscaled integer × 10^-scale; INT32 up to precision 9, INT64 up to 18,
    /// FIXED_LEN_BYTE_ARRAY (two's complement, big-endian) up to 38.
    case decimal(precision: Int, scale: Int)
    /// A nested record.
    case group([ParquetField])
    /// An array, written with the 3-level LIST encoding. Elements may be
    /// primitives, groups, lists or maps.
    case list(element: ParquetType, elementNullable: Bool)
    /// A map, written as LogicalTypes.md's MAP: `group name (MAP) { repeated
    /// group key_value { required key; <opt|req> value } }`. Keys are primitives.
    case map(key: ParquetType, value: ParquetType, valueNullable: Bool)

    public var isPrimitive: Bool {
        switch self { case .group, .list, .map: false; default: true }
    }

    public enum TimeUnit: Sendable, Equatable { case millis, micros }
}

/// A named field of a record.
public struct ParquetField: Sendable, Equatable {
    public var name: String
    public var type: ParquetType
    public var nullable: Bool

    public init(_ name: String, _ type: ParquetType, nullable: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}
