import Testing
@testable import WeirParquet

/// The Thrift compact protocol against bytes worked out by hand from its spec.
@Suite struct CompactWriterTests {
    @Test func varints() {
        for (value, bytes) in [(UInt64(0), [UInt8(0)]), (1, [1]), (127, [0x7F]), (128, [0x80, 0x01]),
                               (300, [0xAC, 0x02]), (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])] {
            var w = CompactWriter()
            w.writeVarint(value)
            #expect(w.bytes == bytes, "varint \(value)")
        }
    }

    @Test func zigzag() {
        #expect(CompactWriter.zigzag(Int32(0)) == 0)
        #expect(CompactWriter.zigzag(Int32(-1)) == 1)
        #expect(CompactWriter.zigzag(Int32(1)) == 2)
        #expect(CompactWriter.zigzag(Int32(-2)) == 3)
        #expect(CompactWriter.zigzag(Int32.max) == 0xFFFF_FFFE)
        #expect(CompactWriter.zigzag(Int32.min) == 0xFFFF_FFFF)
        #expect(CompactWriter.zigzag(Int64.min) == UInt64.max)
        #expect(CompactWriter.zigzag(Int64(-64)) == 127)
    }

    @Test func fieldHeadersUseDeltasUpToFifteen() {
        var w = CompactWriter()
        w.field(1, i32: 5)      // delta 1, type i32 (5): 0x15; zigzag(5) = 10
        w.field(3, i32: -1)     // delta 2: 0x25; zigzag(-1) = 1
        w.field(20, i64: 1)     // delta 17: long form, type byte 0x06, zigzag(20) = 40
        w.field(21, bool: true) // delta 1, type true (1): 0x11
        w.field(22, bool: false) // 0x12
        w.field(5, i32: 0)      // a smaller id: long form
        #expect(w.bytes == [0x15, 0x0A, 0x25, 0x01, 0x06, 0x28, 0x02, 0x11, 0x12, 0x05, 0x0A, 0x00])
    }

    @Test func stringsAndLists() {
        var w = CompactWriter()
        w.field(4, string: "ab")        // (4 << 4) | binary (8)
        w.field(5, i32List: [1, 2])     // (1 << 4) | list (9); list header (2 << 4) | i32
        #expect(w.bytes == [0x48, 0x02, 0x61, 0x62, 0x19, 0x25, 0x02, 0x04])

        var long = CompactWriter()
        long.field(1, i32List: Array(repeating: 0, count: 15))  // 15 or more: 0xF0 | type, then the count
        #expect(Array(long.bytes.prefix(3)) == [0x19, 0xF5, 0x0F])
        #expect(long.bytes.count == 3 + 15)
    }

    @Test func nestedStructsRestoreTheOuterFieldID() {
        var w = CompactWriter()
        w.field(1) { w in w.field(1, i32: 1) }   // struct header 0x1C, inner field 0x15 0x02, stop
        w.field(2, i32: 2)                       // delta from the outer field 1, not the inner one
        w.endStruct()
        #expect(w.bytes == [0x1C, 0x15, 0x02, 0x00, 0x15, 0x04, 0x00])
    }

    @Test func structListElementsStartTheirOwnFieldIDs() {
        var w = CompactWriter()
        w.field(2, structList: [7, 8]) { w, v in w.field(1, i32: Int32(v)) }
        #expect(w.bytes == [0x29, 0x2C, 0x15, 0x0E, 0x00, 0x15, 0x10, 0x00])
    }

    @Test func dictionaryPageHeader() {
        var w = CompactWriter()
        PageHeader(kind: .dictionary(numValues: 3), uncompressedSize: 10, compressedSize: 10).write(to: &w)
        // type 2 (dictionary), sizes 10/10, field 7: struct {num_values 3, encoding PLAIN 0}, stop.
        #expect(w.bytes == [0x15, 0x04, 0x15, 0x14, 0x15, 0x14, 0x4C, 0x15, 0x06, 0x15, 0x00, 0x00, 0x00])
    }

    @Test func dataPageHeader() {
        var w = CompactWriter()
        PageHeader(kind: .data(numValues: 100, encoding: .rleDictionary), uncompressedSize: 300, compressedSize: 64).write(to: &w)
        #expect(w.bytes == [0x15, 0x00, 0x15, 0xD8, 0x04, 0x15, 0x80, 0x01,
                            0x2C, 0x15, 0xC8, 0x01, 0x15, 0x10, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00])
    }

    @Test func timestampLogicalType() {
        var w = CompactWriter()
        LogicalTypeAnnotation.timestamp(utc: true, unit: .micros).write(to: &w)
        // field 8 struct { 1: true, 2: struct TimeUnit { 2: MICROS {} } }
        #expect(w.bytes == [0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00])
    }
}
