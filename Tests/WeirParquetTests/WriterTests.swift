import Testing
@testable import WeirParquet

@Suite struct WriterTests {
    let twoColumns = [ParquetField("name", .string), ParquetField("n", .int64, nullable: true)]

    @Test func fileIsFramedByMagicAndFooterLength() throws {
        let out = MemoryOutput()
        let w = try ParquetWriter(schema: ParquetSchema(twoColumns), output: out)
        w.column(0).append("a"); w.column(1).append(Int64(1)); try w.endRow()
        let size = try w.close()
        let b = out.bytes
        #expect(Int64(b.count) == size)
        #expect(Array(b.prefix(4)) == Array("PAR1".utf8))
        #expect(Array(b.suffix(4)) == Array("PAR1".utf8))
        let footer = Int(b[b.count - 8]) | Int(b[b.count - 7]) << 8 | Int(b[b.count - 6]) << 16 | Int(b[b.count - 5]) << 24
        #expect(footer > 0 && footer < b.count - 12)
        #expect(w.bytesWritten == size)
    }

    @Test func misuseIsReportedByEndRowNotTrapped() throws {
        let w = try ParquetWriter(schema: ParquetSchema(twoColumns), output: MemoryOutput())
        w.column(0).append(Int64(3))  // wrong kind
        w.column(1).append(Int64(1))
        #expect(throws: ParquetError.self) { try w.endRow() }
        // A failed writer stays failed.
        #expect(throws: ParquetError.self) { try w.close() }

        let missing = try ParquetWriter(schema: ParquetSchema(twoColumns), output: MemoryOutput())
        missing.column(0).append("only one column")
        #expect(throws: ParquetError.self) { try missing.endRow() }

        let required = try ParquetWriter(schema: ParquetSchema(twoColumns), output: MemoryOutput())
        required.column(0).appendNull()  // not nullable
        required.column(1).appendNull()
        #expect(throws: ParquetError.self) { try required.endRow() }

        let decimal = try ParquetWriter(schema: ParquetSchema([ParquetField("d", .decimal(precision: 3, scale: 0))]), output: MemoryOutput())
        decimal.column(0).appendDecimal(unscaled: 1000)  // four digits
        #expect(throws: ParquetError.self) { try decimal.endRow() }
    }

    @Test func closedWriterRefusesRows() throws {
        let w = try ParquetWriter(schema: ParquetSchema(twoColumns), output: MemoryOutput())
        try w.close()
        #expect(throws: ParquetError.self) { try w.endRow() }
    }

    @Test func badSchemasAreRefused() {
        #expect(throws: ParquetError.self) { try ParquetSchema([]) }
        #expect(throws: ParquetError.self) { try ParquetSchema([ParquetField("a", .int32), ParquetField("a", .int64)]) }
        #expect(throws: ParquetError.self) { try ParquetSchema([ParquetField("d", .decimal(precision: 39, scale: 0))]) }
        #expect(throws: ParquetError.self) { try ParquetSchema([ParquetField("g", .group([]))]) }
        #expect(throws: ParquetError.self) {
            try ParquetSchema([ParquetField("m", .map(key: .group([ParquetField("k", .string)]), value: .int32, valueNullable: false))])
        }
    }

    /// Maps and lists of lists/records get the levels of LogicalTypes.md's
    /// MAP and 3-level LIST; the caller's striping API refuses levels outside them.
    @Test func levelsOfMapsAndNestedLists() throws {
        let s = try ParquetSchema([
            ParquetField("m", .map(key: .string, value: .list(element: .int64, elementNullable: true), valueNullable: false), nullable: true),
            ParquetField("l", .list(element: .group([ParquetField("a", .int32, nullable: true)]), elementNullable: true)),
        ])
        #expect(s.columns.map { $0.path.joined(separator: ".") } == ["m.key_value.key", "m.key_value.value.list.element", "l.list.element.a"])
        #expect(s.columns.map(\.maxDefinitionLevel) == [2, 4, 3])
        #expect(s.columns.map(\.maxRepetitionLevel) == [1, 2, 1])
        let w = try ParquetWriter(schema: s, output: MemoryOutput())
        w.column(2).appendLevels(definition: 3, repetition: 0)
        w.column(0).appendLevels(definition: 1, repetition: 0)
        w.column(1).appendLevels(definition: 1, repetition: 0)
        #expect(throws: ParquetError.self) { try w.endRow() }   // definition 3 is a's value level, not an empty one
    }

    @Test func levelsOfNestedSchemas() throws {
        let s = try ParquetSchema(Fixtures.nested)
        let byPath = Dictionary(uniqueKeysWithValues: s.columns.map { ($0.path.joined(separator: "."), $0) })
        #expect(byPath["id"]?.maxDefinitionLevel == 0)
        #expect(byPath["address.city"]?.maxDefinitionLevel == 1)
        #expect(byPath["address.zip"]?.maxDefinitionLevel == 2)
        #expect(byPath["address.geo.lat"]?.maxDefinitionLevel == 2)
        #expect(byPath["tags.list.element"]?.maxDefinitionLevel == 3)
        #expect(byPath["tags.list.element"]?.maxRepetitionLevel == 1)
        #expect(byPath["scores.list.element"]?.maxDefinitionLevel == 1)
        // root, id, address {city, zip, geo {lat, lon}}, and three 3-level lists
        #expect(s.elements.count == 1 + 1 + 6 + 3 + 3 + 3)
    }

    @Test func rowGroupsAreCutBySizeAndBytesWrittenGrows() throws {
        var o = ParquetWriterOptions()
        o.rowGroupBytes = 4096
        o.compression = .none
        let out = MemoryOutput()
        let w = try ParquetWriter(schema: ParquetSchema(twoColumns), output: out, options: o)
        var last: Int64 = 0
        for i in 0..<5000 {
            w.column(0).append("name-\(i)")
            if i % 3 == 0 { w.column(1).appendNull() } else { w.column(1).append(Int64(i)) }
            try w.endRow()
            #expect(w.estimatedFileSize >= last)
            last = w.estimatedFileSize
        }
        try w.close()
        #expect(w.rowGroups.count > 5)
        #expect(w.rowGroups.reduce(0) { $0 + $1.numRows } == 5000)
        #expect(w.rowCount == 5000)
        #expect(Int64(out.bytes.count) == w.bytesWritten)
    }

    @Test func dictionaryFallsBackToPlainWithinAChunk() throws {
        var o = ParquetWriterOptions()
        o.dictionaryPageBytes = 1024
        o.pageBytes = 512
        let w = try ParquetWriter(schema: ParquetSchema([ParquetField("s", .string)]), output: MemoryOutput(), options: o)
        for i in 0..<2000 { w.column(0).append("value-\(i)"); try w.endRow() }
        try w.close()
        let stats = w.rowGroups[0].columns[0].encodingStats
        #expect(stats.contains { $0.encoding == .rleDictionary && $0.pageType == .dataPage && $0.count > 0 })
        #expect(stats.contains { $0.encoding == .plain && $0.pageType == .dataPage && $0.count > 0 })
    }

    @Test func lowCardinalityStringsStayDictionaryEncoded() throws {
        let w = try ParquetWriter(schema: ParquetSchema([ParquetField("s", .string)]), output: MemoryOutput())
        for i in 0..<10_000 { w.column(0).append(["DE", "FR", "US"][i % 3]); try w.endRow() }
        try w.close()
        let chunk = w.rowGroups[0].columns[0]
        #expect(chunk.encodingStats.allSatisfy { $0.encoding != .plain || $0.pageType == .dictionaryPage })
        #expect(chunk.totalCompressedSize < 2_000)
    }
}
