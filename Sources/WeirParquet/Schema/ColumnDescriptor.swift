/// What a value of a leaf column is handed to the writer as.
public enum ValueKind: Sendable, Equatable {
    case boolean
    case int32
    case int64
    case float
    case double
    case byteArray
    /// Decimal as INT32, INT64 or FIXED_LEN_BYTE_ARRAY of `byteWidth` bytes.
    case decimal(physical: PhysicalType, byteWidth: Int, precision: Int)
}

/// One leaf column: its path, physical type and the maximum levels its position
/// in the schema allows.
public struct ColumnDescriptor: Sendable {
    public let path: [String]
    public let physicalType: PhysicalType
    public let typeLength: Int32?
    public let kind: ValueKind
    public let maxDefinitionLevel: Int
    public let maxRepetitionLevel: Int
    /// For each node on the path (index 0 = top-level field), the definition level
    /// reached when that node is present: a null at that node is one less.
    public let definitionLevelAtDepth: [Int]
    /// For leaves inside a LIST: the definition level of a present but empty list.
    public let listPresentLevel: Int?
    /// Whether strings and binaries get a dictionary (only BYTE_ARRAY columns).
    var dictionaryEligible: Bool { physicalType == .byteArray }
    /// Strings and binaries compare as unsigned bytes; everything else signed.
    var isString: Bool { physicalType == .byteArray }
}
