/// ColumnMetaData of one column chunk.
struct ColumnChunkMetadata {
    var type: PhysicalType
    var encodings: [Encoding]
    var path: [String]
    var codec: CompressionCodecID
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsMetadata?
    var encodingStats: [PageEncodingCount] = []

    /// The ColumnChunk wrapper (file_offset, meta_data) around it.
    func writeChunk(to w: inout CompactWriter) {
        w.field(2, i64: dictionaryPageOffset ?? dataPageOffset)
        w.field(3) { w in
            w.field(1, i32: type.rawValue)
            w.field(2, i32List: encodings.map(\.rawValue))
            w.field(3, stringList: path)
            w.field(4, i32: codec.rawValue)
            w.field(5, i64: numValues)
            w.field(6, i64: totalUncompressedSize)
            w.field(7, i64: totalCompressedSize)
            w.field(9, i64: dataPageOffset)
            if let dictionaryPageOffset { w.field(11, i64: dictionaryPageOffset) }
            if let statistics { w.field(12) { w in statistics.write(to: &w) } }
            if !encodingStats.isEmpty {
                w.field(13, structList: encodingStats) { w, e in
                    w.field(1, i32: e.pageType.rawValue)
                    w.field(2, i32: e.encoding.rawValue)
                    w.field(3, i32: e.count)
                }
            }
        }
    }
}

/// PageEncodingStats: how many pages of a type used an encoding.
struct PageEncodingCount: Equatable {
    var pageType: PageType
    var encoding: Encoding
    var count: Int32
}

struct RowGroupMetadata {
    var columns: [ColumnChunkMetadata]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64
    var totalCompressedSize: Int64
    var ordinal: Int16

    func write(to w: inout CompactWriter) {
        w.field(1, structList: columns) { w, c in c.writeChunk(to: &w) }
        w.field(2, i64: totalByteSize)
        w.field(3, i64: numRows)
        w.field(5, i64: fileOffset)
        w.field(6, i64: totalCompressedSize)
        w.writeFieldHeader(7, .i16)
        w.writeI32(Int32(ordinal))
    }
}

/// The footer: FileMetaData.
struct FileMetadata {
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroupMetadata]
    var keyValues: [(key: String, value: String)]
    var createdBy: String
    var leafCount: Int

    func write(to w: inout CompactWriter) {
        w.field(1, i32: 2)  // format version 2: LogicalType, RLE_DICTIONARY
        w.field(2, structList: schema) { w, e in e.write(to: &w) }
        w.field(3, i64: numRows)
        w.field(4, structList: rowGroups) { w, g in g.write(to: &w) }
        if !keyValues.isEmpty {
            w.field(5, structList: keyValues) { w, kv in
                w.field(1, string: kv.key)
                w.field(2, string: kv.value)
            }
        }
        w.field(6, string: createdBy)
        // Every leaf uses the type-defined order, so readers trust min_value/max_value.
        w.field(7, structList: Array(repeating: (), count: leafCount)) { w, _ in
            w.field(1) { _ in }
        }
        w.endStruct()
    }
}
