/// How a file is laid out. Defaults follow the common writers (parquet-mr, Arrow).
public struct ParquetWriterOptions: Sendable {
    public var compression: Compression = .zstd(level: 3)
    /// A row group is closed when its buffered (encoded, compressed) bytes reach this.
    public var rowGroupBytes: Int = 64 << 20
    /// A data page is cut when its encoded values and levels reach this.
    public var pageBytes: Int = 1 << 20
    /// Strings and binaries use a dictionary until it grows beyond this many bytes
    /// in a column chunk; later pages of that chunk are PLAIN.
    public var dictionaryPageBytes: Int = 1 << 20
    public var dictionaryEnabled = true
    /// Written as the footer's created_by (readers parse "name version x.y.z").
    public var createdBy = "weir-parquet version 0.1.0"

    public init() {}
}
