import Testing
@testable import WeirParquet

/// Min/max follow each type's order in the format: signed integers, IEEE order
/// without NaN for floats, unsigned bytes for strings, signed big-endian decimals.
@Suite struct StatisticsTests {
    func stats(_ field: ParquetField, _ fill: (ColumnWriter) -> Void) throws -> StatisticsMetadata? {
        let schema = try ParquetSchema([field])
        let writer = try ParquetWriter(schema: schema, output: MemoryOutput(), options: ParquetWriterOptions())
        fill(writer.column(0))
        try writer.endRows(writer.column(0).rowCount)
        try writer.flushRowGroup()
        return writer.rowGroups.first?.columns.first?.statistics
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    @Test func integersCompareSigned() throws {
        let s = try stats(ParquetField("i", .int32)) { c in for v: Int32 in [3, -5, 0, Int32.max, -1] { c.append(v) } }
        #expect(s?.minValue == le(Int32(-5)))
        #expect(s?.maxValue == le(Int32.max))
        let l = try stats(ParquetField("l", .int64, nullable: true)) { c in
            c.append(Int64.min); c.appendNull(); c.append(Int64(7)); c.appendNull()
        }
        #expect(l?.minValue == le(Int64.min))
        #expect(l?.maxValue == le(Int64(7)))
        #expect(l?.nullCount == 2)
    }

    @Test func stringsCompareAsUnsignedBytes() throws {
        // "é" (0xC3 0xA9) sorts after "z" (0x7A) bytewise, though a signed
        // comparison would put it first; "a" sorts before "ab".
        let s = try stats(ParquetField("s", .string)) { c in for v in ["z", "ab", "é", "a", "Z"] { c.append(v) } }
        #expect(s?.minValue == Array("Z".utf8))
        #expect(s?.maxValue == Array("é".utf8))
        var plain = ParquetWriterOptions()
        plain.dictionaryEnabled = false
        let schema = try ParquetSchema([ParquetField("s", .string)])
        let writer = try ParquetWriter(schema: schema, output: MemoryOutput(), options: plain)
        for v in ["ab", "a", "", "\u{7F}", "\u{80}"] { writer.column(0).append(v) }
        try writer.endRows(5)
        try writer.flushRowGroup()
        let p = writer.rowGroups[0].columns[0].statistics
        #expect(p?.minValue == [])
        #expect(p?.maxValue == Array("\u{80}".utf8))
    }

    @Test func doublesSkipNaNAndWidenZeros() throws {
        let d = try stats(ParquetField("d", .double)) { c in for v in [Double.nan, 2.5, -1.0, .nan] { c.append(v) } }
        #expect(d?.minValue == le((-1.0).bitPattern))
        #expect(d?.maxValue == le(2.5.bitPattern))
        let nan = try stats(ParquetField("d", .double)) { c in c.append(Double.nan) }
        #expect(nan?.minValue == nil && nan?.maxValue == nil)
        // Zero bounds are written as -0.0 (min) and +0.0 (max).
        let z = try stats(ParquetField("f", .float)) { c in c.append(Float(0)); c.append(Float(-0.0)) }
        #expect(z?.minValue == le((-Float(0)).bitPattern))
        #expect(z?.maxValue == le(Float(0).bitPattern))
        let inf = try stats(ParquetField("d", .double)) { c in c.append(-Double.infinity); c.append(1.0) }
        #expect(inf?.minValue == le((-Double.infinity).bitPattern))
    }

    @Test func wideDecimalsCompareSignedBigEndian() throws {
        let s = try stats(ParquetField("d", .decimal(precision: 30, scale: 2))) { c in
            c.appendDecimal(unscaled: 5); c.appendDecimal(unscaled: -300); c.appendDecimal(unscaled: 256)
        }
        // 13 bytes of two's complement, big-endian.
        #expect(s?.minValue == [UInt8](repeating: 0xFF, count: 11) + [0xFE, 0xD4])
        #expect(s?.maxValue == [UInt8](repeating: 0, count: 11) + [0x01, 0x00])
        #expect(ParquetSchema.decimalByteWidth(precision: 9) == 4)
        #expect(ParquetSchema.decimalByteWidth(precision: 18) == 8)
        #expect(ParquetSchema.decimalByteWidth(precision: 19) == 9)
        #expect(ParquetSchema.decimalByteWidth(precision: 38) == 16)
    }

    @Test func booleansOrderFalseBeforeTrue() throws {
        let b = try stats(ParquetField("b", .boolean)) { c in c.append(true); c.append(false) }
        #expect(b?.minValue == [0] && b?.maxValue == [1])
    }
}
