import Foundation
import Testing
@testable import WeirParquet

/// Files written here are read by pyarrow, DuckDB and fastparquet
/// (tests/parquet/readback.py), which must return exactly the rows written.
@Suite struct ReadbackTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func runReadback(_ dir: URL) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.repoRoot.appendingPathComponent("tests/parquet/readback.py").path, dir.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// WEIR_PARQUET_OUT=dir keeps the files there for a look with other tools.
    func temporaryDirectory(_ name: String) throws -> URL {
        if let keep = ProcessInfo.processInfo.environment["WEIR_PARQUET_OUT"] {
            let dir = URL(fileURLWithPath: keep).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return dir
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-parquet-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func fixedFilesReadBackExactlyByThreeReaders() throws {
        let dir = try temporaryDirectory("fixtures")
        defer { if ProcessInfo.processInfo.environment["WEIR_PARQUET_OUT"] == nil { try? FileManager.default.removeItem(at: dir) } }
        let rows = (0..<200).map(Fixtures.allTypesRow)
        for (name, compression) in [("none", Compression.none), ("snappy", .snappy), ("zstd", .zstd(level: 3)), ("zstd19", .zstd(level: 19))] {
            var o = ParquetWriterOptions()
            o.compression = compression
            try writeFixture("all-types-\(name)", in: dir, fields: Fixtures.allTypes, rows: rows, options: o,
                             keyValues: [("weir.schema", "{\"type\":\"record\",\"name\":\"t\"}"), ("empty", "")])
        }
        try writeFixture("zero-rows", in: dir, fields: Fixtures.allTypes, rows: [])
        try writeFixture("one-row", in: dir, fields: Fixtures.allTypes, rows: [Fixtures.allTypesRow(4)])
        var small = ParquetWriterOptions()
        small.rowGroupBytes = 16 << 10
        small.pageBytes = 2 << 10
        try writeFixture("many-row-groups", in: dir, fields: Fixtures.allTypes, rows: (0..<3000).map { Fixtures.allTypesRow($0 % 400 + 11) },
                         options: small, expect: ["min_row_groups": 10])
        var fallback = ParquetWriterOptions()
        fallback.dictionaryPageBytes = 1024
        fallback.compression = .snappy
        try writeFixture("dictionary-fallback", in: dir, fields: [ParquetField("s", .string), ParquetField("o", .string, nullable: true)],
                         rows: (0..<5000).map { i in [.string("value-\(i)"), i % 2 == 0 ? .null : .string("v\(i % 10)")] },
                         options: fallback)
        try writeFixture("nested", in: dir, fields: Fixtures.nested, rows: (0..<500).map(Fixtures.nestedRow))
        var nestedSmall = small
        nestedSmall.pageBytes = 300
        nestedSmall.rowGroupBytes = 4 << 10
        try writeFixture("nested-small-pages", in: dir, fields: Fixtures.nested, rows: (0..<2000).map(Fixtures.nestedRow),
                         options: nestedSmall, expect: ["min_row_groups": 3])
        let (status, output) = try runReadback(dir)
        print(output)
        #expect(status == 0, "\(output)")
        #expect(output.contains("read by pyarrow 10, duckdb 10, fastparquet 8"))
    }

    @Test func randomSchemasAndRowsReadBackThroughPyarrow() throws {
        let dir = try temporaryDirectory("fuzz")
        defer { if ProcessInfo.processInfo.environment["WEIR_PARQUET_OUT"] == nil { try? FileManager.default.removeItem(at: dir) } }
        let base = UInt64(ProcessInfo.processInfo.environment["WEIR_PARQUET_FUZZ_SEED"] ?? "") ?? 20_261_207
        let cases = Int(ProcessInfo.processInfo.environment["WEIR_PARQUET_FUZZ_CASES"] ?? "") ?? 60
        for k in 0..<UInt64(cases) {
            let c = FuzzCase(seed: base + k)
            try writeFixture("fuzz-\(base + k)", in: dir, fields: c.fields, rows: c.rows, options: c.options)
        }
        let (status, output) = try runReadback(dir)
        print(output)
        #expect(status == 0, "\(output)")
    }
}
