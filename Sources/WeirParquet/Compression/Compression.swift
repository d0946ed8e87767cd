/// The page compression of a file.
public enum Compression: Sendable, Equatable {
    case none
    case snappy
    /// ZSTD at `level` (1...22; negative levels are the fast modes).
    case zstd(level: Int32)

    var codecID: CompressionCodecID {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .zstd: .zstd
        }
    }
}
