/// Writes one Parquet file: rows are appended column by column (one value or
/// null per leaf column, then `endRow()`), row groups are cut by size, and
/// `close()` writes the footer.
///
/// ```swift
/// let w = try ParquetWriter(schema: schema, output: FileDescriptorOutput(path: "out.parquet"))
/// w.column(0).append("alice"); w.column(1).append(3.5); try w.endRow()
/// try w.close()
/// ```
public final class ParquetWriter {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions
    public let columns: [ColumnWriter]
    private let output: ParquetOutput
    private let compressor: PageCompressor

    /// Footer key-value metadata (e.g. the schema as Avro or JSON text); may be
    /// changed until `close()`.
    public var keyValueMetadata: [(key: String, value: String)] = []

    private(set) var rowGroups: [RowGroupMetadata] = []
    private var rowsInGroup = 0
    private var rowsTotal: Int64 = 0
    private var offset: Int64 = 0
    private var closed = false
    private var failed: ParquetError?

    public init(schema: ParquetSchema, output: ParquetOutput, options: ParquetWriterOptions = .init()) throws(ParquetError) {
        guard options.pageBytes > 0, options.rowGroupBytes > 0 else { throw .invalidUse("page and row group sizes must be positive") }
        self.schema = schema
        self.options = options
        self.output = output
        let compressor = try PageCompressor(options.compression)
        self.compressor = compressor
        columns = schema.columns.map { ColumnWriter(descriptor: $0, options: options, compressor: compressor) }
        try write(Array("PAR1".utf8))
    }

    /// The leaf column `i` (schema order).
    public func column(_ i: Int) -> ColumnWriter { columns[i] }

    /// The leaf column at a dotted path (`address.city`, `tags.list.element`).
    public func column(named path: String) -> ColumnWriter? {
        schema.columnIndex(path).map { columns[$0] }
    }

    /// Rows finished so far.
    public var rowCount: Int64 { rowsTotal }
    /// Bytes handed to the output so far (whole row groups and the header).
    public var bytesWritten: Int64 { offset }
    /// `bytesWritten` plus what the open row group holds: what the file would
    /// measure if closed now, less the footer. A sink rolls files on this.
    public var estimatedFileSize: Int64 {
        offset + Int64(columns.reduce(0) { $0 + $1.bufferedBytes })
    }

    /// A null record: a null at the node `depth` of every leaf under the path
    /// `fieldPath` (e.g. `["address"]`) — the record must be nullable.
    public func appendNull(record fieldPath: [String]) {
        for c in columns where c.descriptor.path.starts(with: fieldPath) {
            c.appendNull(depth: fieldPath.count - 1)
        }
    }

    /// Ends the row every column has just been given a value or null for. Cuts
    /// a row group once the buffered data reaches `rowGroupBytes`.
    public func endRow() throws(ParquetError) {
        try endRows(1)
    }

    /// Ends `count` rows appended column by column (batch use).
    public func endRows(_ count: Int) throws(ParquetError) {
        try checkOpen()
        let expected = rowsInGroup + count
        // An index loop: unoptimized builds heap-allocate a for-in's iterator (per row).
        var i = 0
        while i < columns.count {
            let c = columns[i]
            if let m = c.misuse { return try fail(.invalidUse(m)) }
            if c.rowCount != expected {
                return try fail(.invalidUse("column \(c.name) has \(c.rowCount) rows in this row group, expected \(expected)"))
            }
            i += 1
        }
        rowsInGroup = expected
        rowsTotal += Int64(count)
        // Measuring every column's buffers costs more than a row's values: look
        // every 128 rows (and on every batch call).
        if count > 1 || rowsInGroup & 127 == 0, estimatedRowGroupBytes >= options.rowGroupBytes {
            try flushRowGroup()
        }
    }

    private var estimatedRowGroupBytes: Int {
        var sum = 0, i = 0   // an index loop: unoptimized builds allocate in a generic reduce
        while i < columns.count { sum += columns[i].bufferedBytes; i += 1 }
        return sum
    }

    /// Writes the open row group out now (a sink may call it before a checkpoint).
    public func flushRowGroup() throws(ParquetError) {
        try checkOpen()
        guard rowsInGroup > 0 else { return }
        let start = offset
        var chunks: [ColumnChunkMetadata] = []
        chunks.reserveCapacity(columns.count)
        do {
            for c in columns {
                let meta = try c.finishChunk(output: output, offset: offset)
                offset += meta.totalCompressedSize
                chunks.append(meta)
            }
        } catch {
            return try fail(error)
        }
        rowGroups.append(RowGroupMetadata(
            columns: chunks,
            totalByteSize: chunks.reduce(0) { $0 + $1.totalUncompressedSize },
            numRows: Int64(rowsInGroup), fileOffset: start,
            totalCompressedSize: offset - start, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rowsInGroup = 0
    }

    /// Flushes the last row group and writes the footer; the file is complete.
    /// Returns the file's size.
    @discardableResult
    public func close() throws(ParquetError) -> Int64 {
        try flushRowGroup()
        var w = CompactWriter()
        FileMetadata(schema: schema.elements, numRows: rowsTotal, rowGroups: rowGroups,
                     keyValues: keyValueMetadata, createdBy: options.createdBy,
                     leafCount: columns.count).write(to: &w)
        let footerLength = UInt32(w.bytes.count)
        try write(w.bytes)
        try write(withUnsafeBytes(of: footerLength.littleEndian) { Array($0) } + Array("PAR1".utf8))
        closed = true
        return offset
    }

    private func write(_ bytes: [UInt8]) throws(ParquetError) {
        do { try output.write(bytes) } catch { try fail(error) }
        offset += Int64(bytes.count)
    }

    private func checkOpen() throws(ParquetError) {
        if let failed { throw failed }
        if closed { throw .invalidUse("the writer is closed") }
    }

    /// A failed writer stays failed: its file is incomplete.
    private func fail(_ e: ParquetError) throws(ParquetError) {
        failed = failed ?? e
        throw e
    }
}
