/// Writes one leaf column of the current row group: values and levels are
/// encoded into pages as they arrive, pages compressed into the chunk buffer,
/// and the chunk handed to the file at the end of the row group.
///
/// Appends never throw and never allocate once buffers have grown: a value of
/// the wrong kind is dropped and reported by the writer's next `endRow()`.
public final class ColumnWriter {
    public let descriptor: ColumnDescriptor
    let options: ParquetWriterOptions
    let compressor: PageCompressor

    // The open page.
    private var defLevels: [UInt8] = []
    private var repLevels: [UInt8] = []
    private let values = ByteStore()
    private var indices: [UInt32] = []
    private var boolBits = 0
    private var pageLevelCount = 0

    // The open chunk.
    private var dictionary = ByteArrayDictionary()
    private var usingDictionary: Bool
    private var dictionaryDataPages: Int32 = 0
    private var plainDataPages: Int32 = 0
    private var wroteDictionaryPages: Bool { dictionaryDataPages > 0 }
    private var chunk: [UInt8] = []
    private var dictionaryPage: [UInt8] = []
    private var chunkUncompressed = 0
    private var chunkValueCount: Int64 = 0
    var statistics = ColumnStatistics()
    /// Rows begun in this chunk (values or nulls at repetition level 0).
    private(set) var rowCount = 0

    // List state (leaves inside a LIST).
    private var inList = false
    private var listElements = 0
    /// The repetition level of the next value (nested striping; reset to 0 after use).
    private var pendingRep: UInt8 = 0

    /// The first misuse since the last check (wrong kind, bad level, ...).
    var misuse: String?

    // Scratch reused for every page.
    private var pageBody: [UInt8] = []
    private var compressed: [UInt8] = []
    private var header = CompactWriter()

    private let maxDef: UInt8
    private let maxRep: UInt8
    /// The column's ValueKind for plain values, compared without the enum's
    /// payload-aware equality on every append.
    private let plainKind: PlainKind

    private enum PlainKind { case boolean, int32, int64, float, double, byteArray, decimal }

    @inline(__always)
    private func kindIs(_ k: ValueKind) -> Bool {
        switch (k, plainKind) {
        case (.boolean, .boolean), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double),
             (.byteArray, .byteArray): return true
        default: return false
        }
    }

    init(descriptor: ColumnDescriptor, options: ParquetWriterOptions, compressor: PageCompressor) {
        self.descriptor = descriptor
        self.options = options
        self.compressor = compressor
        maxDef = UInt8(descriptor.maxDefinitionLevel)
        maxRep = UInt8(descriptor.maxRepetitionLevel)
        usingDictionary = options.dictionaryEnabled && descriptor.dictionaryEligible
        switch descriptor.kind {
        case .boolean: plainKind = .boolean
        case .int32: plainKind = .int32
        case .int64: plainKind = .int64
        case .float: plainKind = .float
        case .double: plainKind = .double
        case .byteArray: plainKind = .byteArray
        case .decimal: plainKind = .decimal
        }
    }

    // MARK: values

    public func append(_ v: Bool) {
        guard check(.boolean) else { return }
        beginValue()
        if boolBits & 7 == 0 { values.append(byte: 0) }
        if v { values.orLast(UInt8(1) << UInt8(boolBits & 7)) }
        boolBits += 1
        statistics.update(Int64(v ? 1 : 0))
    }

    public func append(_ v: Int32) {
        guard check(.int32) else { return }
        beginValue()
        appendLE(v)
        statistics.update(Int64(v))
    }

    public func append(_ v: Int64) {
        guard check(.int64) else { return }
        beginValue()
        appendLE(v)
        statistics.update(v)
    }

    public func append(_ v: Float) {
        guard check(.float) else { return }
        beginValue()
        appendLE(v.bitPattern)
        statistics.update(Double(v))
    }

    public func append(_ v: Double) {
        guard check(.double) else { return }
        beginValue()
        appendLE(v.bitPattern)
        statistics.update(v)
    }

    /// A string: its UTF-8 bytes, read in place when the string is native.
    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    public func append(bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(bytes: $0) }
    }

    public func append(bytes: UnsafeRawBufferPointer) {
        guard check(.byteArray) else { return }
        beginValue()
        if usingDictionary {
            let before = dictionary.count
            let index = dictionary.index(of: bytes)
            indices.append(index)
            // Every value of a dictionary page is a dictionary entry: the chunk's
            // min/max only need each entry once.
            if dictionary.count != before { statistics.update(bytes) }
        } else {
            values.append(littleEndian: UInt32(truncatingIfNeeded: bytes.count))
            values.append(bytes)
            statistics.update(bytes)
        }
    }

    /// A decimal's unscaled value (the number × 10^scale). Values with more digits
    /// than the column's precision are refused.
    public func appendDecimal(unscaled v: Int128) {
        guard case .decimal(let physical, let width, let precision) = descriptor.kind else {
            misuse = misuse ?? "\(name): appendDecimal on a \(descriptor.kind) column"
            return
        }
        guard Self.fits(v, precision: precision) else {
            misuse = misuse ?? "\(name): \(v) has more than \(precision) digits"
            return
        }
        beginValue()
        switch physical {
        case .int32: appendLE(Int32(truncatingIfNeeded: v))
        case .int64: appendLE(Int64(truncatingIfNeeded: v))
        default:
            let u = UInt128(bitPattern: v)
            for i in 0..<width {
                let shift = 8 * (width - 1 - i)
                // Bytes above the 16 of an Int128 repeat its sign.
                values.append(byte: shift >= 128 ? (v < 0 ? 0xFF : 0) : UInt8(truncatingIfNeeded: u >> UInt128(shift)))
            }
        }
        if physical == .fixedLenByteArray { statistics.update(v) } else { statistics.update(Int64(truncatingIfNeeded: v)) }
    }

    /// A null: of this field (the default), or of the ancestor at `depth` of the
    /// path (a null record). Inside a list, a null element.
    public func appendNull() {
        if inList {
            guard descriptor.maxDefinitionLevel > (descriptor.listPresentLevel ?? 0) + 1 else {
                misuse = misuse ?? "\(name): list elements are not nullable"
                return
            }
            appendLevels(def: maxDef - 1, rep: listRep())
            listElements += 1
            statistics.nullCount += 1
            return
        }
        appendNull(depth: descriptor.path.count - 1)
    }

    /// A null at the node `depth` levels down the path (0: the top-level field).
    public func appendNull(depth: Int) {
        let defs = descriptor.definitionLevelAtDepth
        guard depth >= 0, depth < defs.count, defs[depth] > (depth == 0 ? 0 : defs[depth - 1]) else {
            misuse = misuse ?? "\(name): the node at depth \(depth) is not nullable"
            return
        }
        if descriptor.maxRepetitionLevel > 0, descriptor.listPresentLevel.map({ defs[depth] > $0 }) ?? false {
            misuse = misuse ?? "\(name): use startList/endList for list elements"
            return
        }
        appendLevels(def: UInt8(defs[depth] - 1), rep: 0)
        statistics.nullCount += 1
    }

    // MARK: lists

    /// Starts this row's list; values and nulls until `endList()` are its elements.
    public func startList() {
        guard descriptor.listPresentLevel != nil, descriptor.maxRepetitionLevel == 1 else {
            misuse = misuse ?? "\(name) is not a list element"
            return
        }
        inList = true
        listElements = 0
    }

    public func endList() {
        guard inList, let present = descriptor.listPresentLevel else {
            misuse = misuse ?? "\(name): endList without startList"
            return
        }
        inList = false
        // An empty list is one entry at the list's own level with no value.
        if listElements == 0 { appendLevels(def: UInt8(present), rep: 0) }
    }

    /// A null list (the list field must be nullable).
    public func appendNullList() {
        guard descriptor.listPresentLevel != nil, !inList else {
            misuse = misuse ?? "\(name) is not a list element"
            return
        }
        // The path ends list-field, "list", "element".
        appendNull(depth: descriptor.path.count - 3)
    }

    // MARK: nested values (Dremel striping by the caller)

    /// The next value appended starts at repetition level `level` (0: a new row;
    /// otherwise a further element of the repeated node at that level). For
    /// lists of records, lists of lists and maps, whose levels the caller works
    /// out from the schema; `startList`/`endList` cover lists of primitives.
    public func nextRepetition(_ level: Int) {
        guard level >= 0, level <= descriptor.maxRepetitionLevel, !inList else {
            misuse = misuse ?? "\(name): repetition level \(level) outside 0...\(descriptor.maxRepetitionLevel)"
            return
        }
        pendingRep = UInt8(level)
    }

    /// An entry without a value: a null or an empty repeated node somewhere on
    /// the path, at definition level `definition` (< the column's maximum) and
    /// repetition level `repetition`.
    public func appendLevels(definition: Int, repetition: Int) {
        guard definition >= 0, definition < descriptor.maxDefinitionLevel,
              repetition >= 0, repetition <= descriptor.maxRepetitionLevel, !inList else {
            misuse = misuse ?? "\(name): levels (definition \(definition), repetition \(repetition)) outside the column's \(descriptor.maxDefinitionLevel), \(descriptor.maxRepetitionLevel)"
            return
        }
        appendLevels(def: UInt8(definition), rep: UInt8(repetition))
        statistics.nullCount += 1   // every entry without a value, as parquet-mr and Arrow count
        pendingRep = 0
    }

    // MARK: internals

    var name: String { descriptor.path.joined(separator: ".") }

    @inline(__always)
    private func check(_ k: ValueKind) -> Bool {
        if kindIs(k) { return true }
        misuse = misuse ?? "\(name): a \(k) value for a \(descriptor.kind) column"
        return false
    }

    @inline(__always)
    private func listRep() -> UInt8 { listElements == 0 ? maxRep - 1 : maxRep }

    /// Levels of a present value; counts a new row and cuts the page at row starts.
    @inline(__always)
    private func beginValue() {
        if inList {
            appendLevels(def: maxDef, rep: listRep())
            listElements += 1
        } else {
            appendLevels(def: maxDef, rep: pendingRep)
            pendingRep = 0
        }
    }

    @inline(__always)
    private func appendLevels(def: UInt8, rep: UInt8) {
        if rep == 0 {
            // Pages end at row boundaries, so no row spans two pages.
            if pageLevelCount > 0 && (pageBytesEstimate >= options.pageBytes
                || (usingDictionary && dictionary.byteSize > options.dictionaryPageBytes)) { flushPageOrRecord() }
            rowCount += 1
        }
        if maxDef > 0 { defLevels.append(def) }
        if maxRep > 0 { repLevels.append(rep) }
        pageLevelCount += 1
    }

    @inline(__always)
    private var pageBytesEstimate: Int {
        let levels = (maxDef > 0 ? pageLevelCount / 4 : 0) + (maxRep > 0 ? pageLevelCount / 4 : 0)
        if usingDictionary {
            return levels + indices.count * bitWidth(forMax: UInt32(max(dictionary.count, 1))) / 8
        }
        return levels + values.count
    }

    /// Bytes this chunk holds so far (for sizing row groups and files).
    var bufferedBytes: Int {
        chunk.count + pageBytesEstimate + (usingDictionary || wroteDictionaryPages ? dictionary.byteSize : 0)
    }

    @inline(__always)
    private func appendLE<T: FixedWidthInteger>(_ v: T) {
        values.append(littleEndian: v)
    }

    static func fits(_ v: Int128, precision: Int) -> Bool {
        var limit: Int128 = 1
        for _ in 0..<precision { limit &*= 10 }
        return v > -limit && v < limit
    }

    private func flushPageOrRecord() {
        do { try flushPage() } catch { misuse = misuse ?? "\(error)" }
    }

    /// Encodes the open page (levels, then values), compresses it into the chunk.
    func flushPage() throws(ParquetError) {
        guard pageLevelCount > 0 else { return }
        pageBody.removeAll(keepingCapacity: true)
        if maxRep > 0 { appendLevelRun(repLevels, max: maxRep) }
        if maxDef > 0 { appendLevelRun(defLevels, max: maxDef) }
        let encoding: Encoding
        if usingDictionary {
            let width = bitWidth(forMax: UInt32(max(dictionary.count, 1) - 1))
            pageBody.append(UInt8(width))
            RLEHybridEncoder.encode(indices, width: width, into: &pageBody)
            encoding = .rleDictionary
            dictionaryDataPages += 1
        } else {
            pageBody.append(contentsOf: values.bytes)
            encoding = .plain
            plainDataPages += 1
        }
        try writePage(.data(numValues: Int32(pageLevelCount), encoding: encoding))
        chunkValueCount += Int64(pageLevelCount)
        defLevels.removeAll(keepingCapacity: true)
        repLevels.removeAll(keepingCapacity: true)
        values.removeAll()
        indices.removeAll(keepingCapacity: true)
        boolBits = 0
        pageLevelCount = 0
        // A dictionary past its limit stops here; the chunk goes on in PLAIN.
        if usingDictionary && dictionary.byteSize > options.dictionaryPageBytes { usingDictionary = false }
    }

    /// Levels with their 4-byte length prefix (data page v1).
    private func appendLevelRun(_ levels: [UInt8], max: UInt8) {
        let at = pageBody.count
        pageBody.append(contentsOf: [0, 0, 0, 0])
        RLEHybridEncoder.encode(levels, width: bitWidth(forMax: UInt32(max)), into: &pageBody)
        let length = UInt32(pageBody.count - at - 4)
        for i in 0..<4 { pageBody[at + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    }

    /// Compresses `pageBody` and appends header + body to the chunk.
    private func writePage(_ kind: PageHeader.Kind) throws(ParquetError) {
        try writePage(kind, into: &chunk)
    }

    private func writePage(_ kind: PageHeader.Kind, into target: inout [UInt8]) throws(ParquetError) {
        compressed.removeAll(keepingCapacity: true)
        // withUnsafeBytes rethrows untyped errors: carry ours out in a Result.
        let size = try pageBody.withUnsafeBytes { p in
            Result { () throws(ParquetError) -> Int in try compressor.compress(p, appendingTo: &compressed) }
        }.get()
        guard pageBody.count <= Int32.max, size <= Int32.max else { throw .invalidUse("\(name): a page exceeds 2 GiB") }
        header.reset()
        PageHeader(kind: kind, uncompressedSize: Int32(pageBody.count), compressedSize: Int32(size)).write(to: &header)
        target.append(contentsOf: header.bytes)
        target.append(contentsOf: compressed)
        chunkUncompressed += header.bytes.count + pageBody.count
    }

    /// Writes the chunk (dictionary page first) to `output` at `offset`, returns
    /// its metadata and readies the writer for the next row group.
    func finishChunk(output: ParquetOutput, offset: Int64) throws(ParquetError) -> ColumnChunkMetadata {
        if inList { throw .invalidUse("\(name): row group ended inside a list") }
        try flushPage()
        var dictionaryOffset: Int64?
        var written: Int64 = 0
        var uncompressed = Int64(chunkUncompressed)
        if wroteDictionaryPages {
            // The dictionary page goes before the data pages that use it.
            pageBody.removeAll(keepingCapacity: true)
            pageBody.append(contentsOf: dictionary.plain)
            dictionaryPage.removeAll(keepingCapacity: true)
            let before = chunkUncompressed
            try writePage(.dictionary(numValues: Int32(dictionary.count)), into: &dictionaryPage)
            uncompressed += Int64(chunkUncompressed - before)
            dictionaryOffset = offset
            written = Int64(dictionaryPage.count)
            try output.write(dictionaryPage)
        }
        let dataOffset = offset + written
        try output.write(chunk)
        written += Int64(chunk.count)
        var encodings: [Encoding] = [.plain, .rle]
        if wroteDictionaryPages { encodings.append(.rleDictionary) }
        // Readers (Arrow) learn from these whether every data page is dictionary-encoded.
        var pageStats: [PageEncodingCount] = []
        if wroteDictionaryPages {
            pageStats.append(PageEncodingCount(pageType: .dictionaryPage, encoding: .plain, count: 1))
            pageStats.append(PageEncodingCount(pageType: .dataPage, encoding: .rleDictionary, count: dictionaryDataPages))
        }
        if plainDataPages > 0 {
            pageStats.append(PageEncodingCount(pageType: .dataPage, encoding: .plain, count: plainDataPages))
        }
        let meta = ColumnChunkMetadata(
            type: descriptor.physicalType, encodings: encodings, path: descriptor.path,
            codec: compressor.compression.codecID, numValues: chunkValueCount,
            totalUncompressedSize: uncompressed, totalCompressedSize: written,
            dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset,
            statistics: statistics.metadata(for: descriptor.kind), encodingStats: pageStats)
        chunk.removeAll(keepingCapacity: true)
        chunkUncompressed = 0
        chunkValueCount = 0
        dictionary.reset()
        usingDictionary = options.dictionaryEnabled && descriptor.dictionaryEligible
        dictionaryDataPages = 0
        plainDataPages = 0
        statistics.reset()
        rowCount = 0
        return meta
    }
}
