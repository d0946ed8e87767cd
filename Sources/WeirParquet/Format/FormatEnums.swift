// Enumerations of parquet.thrift, with the numbers the format fixes.

/// Physical (storage) types.
public enum PhysicalType: Int32, Sendable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
}

/// Legacy annotations, still written beside LogicalType for readers older than it.
enum ConvertedType: Int32 {
    case utf8 = 0
    case map = 1
    case list = 3
    case decimal = 5
    case date = 6
    case timestampMillis = 9
    case timestampMicros = 10
}

enum FieldRepetition: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}

public enum Encoding: Int32, Sendable {
    case plain = 0
    case plainDictionary = 2
    case rle = 3
    case bitPacked = 4
    case rleDictionary = 8
}

enum PageType: Int32 {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
}

/// The codec numbers of the footer.
enum CompressionCodecID: Int32 {
    case uncompressed = 0
    case snappy = 1
    case zstd = 6
}
