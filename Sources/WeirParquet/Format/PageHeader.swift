/// PageHeader with its DataPageHeader (v1) or DictionaryPageHeader.
struct PageHeader {
    enum Kind {
        case data(numValues: Int32, encoding: Encoding)
        case dictionary(numValues: Int32)
    }
    var kind: Kind
    var uncompressedSize: Int32
    var compressedSize: Int32

    func write(to w: inout CompactWriter) {
        switch kind {
        case .data: w.field(1, i32: PageType.dataPage.rawValue)
        case .dictionary: w.field(1, i32: PageType.dictionaryPage.rawValue)
        }
        w.field(2, i32: uncompressedSize)
        w.field(3, i32: compressedSize)
        switch kind {
        case .data(let numValues, let encoding):
            w.field(5) { w in
                w.field(1, i32: numValues)
                w.field(2, i32: encoding.rawValue)
                w.field(3, i32: Encoding.rle.rawValue)  // definition levels
                w.field(4, i32: Encoding.rle.rawValue)  // repetition levels
            }
        case .dictionary(let numValues):
            w.field(7) { w in
                w.field(1, i32: numValues)
                // PLAIN is the dictionary page's encoding for format 2.x readers.
                w.field(2, i32: Encoding.plain.rawValue)
            }
        }
        w.endStruct()
    }
}
