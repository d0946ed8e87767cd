import XCTest
import WeirFormats
@testable import WeirEngine

/// The conversions the files sink makes from a row's cells to decimal and
/// binary columns, and what it refuses (each a dead letter, never a trap).
final class CellFitTests: XCTestCase {
    private func row(_ text: String) -> (Row, ByteSpan) {
        var r = Row(slotCount: 1)
        let s = r.store(Array(text.utf8))
        return (r, s)
    }

    func testDecimalText() {
        func u(_ t: String, _ scale: Int) -> Int128? { Array(t.utf8).withUnsafeBytes { CellFit.decimalText($0, scale: scale) } }
        XCTAssertEqual(u("-123.45", 2), -12345)
        XCTAssertEqual(u("123.4500", 2), 12345, "zeros past the scale are no fraction")
        XCTAssertEqual(u("+7", 3), 7000)
        XCTAssertEqual(u("0.001", 3), 1)
        XCTAssertEqual(u("-12345678901234567890123.4567", 4), Int128("-123456789012345678901234567"))
        XCTAssertNil(u("1.005", 2), "a fraction the scale cannot hold")
        XCTAssertNil(u("", 2)); XCTAssertNil(u("-", 0)); XCTAssertNil(u("1e5", 0)); XCTAssertNil(u("1.2.3", 2)); XCTAssertNil(u(" 1", 0))
        XCTAssertNil(u(String(repeating: "9", count: 40), 0), "wider than an Int128")
    }

    func testDecimalCellsAndPrecision() {
        var scratch: [UInt8] = []
        let r = Row(slotCount: 1)
        XCTAssertEqual(CellFit.unscaled(.double(-12345.67), scale: 2, r), -1234567, "an Avro decimal of ≤ 15 digits arrives as a double")
        XCTAssertEqual(CellFit.unscaled(.double(0.1 + 0.2), scale: 1, r), 3, "0.30000000000000004 is 0.3 give or take an ulp")
        XCTAssertNil(CellFit.unscaled(.double(12.345), scale: 2, r), "a real fraction past the scale")
        XCTAssertEqual(CellFit.unscaled(.double(12.34), scale: 2, r), 1234)
        XCTAssertEqual(CellFit.unscaled(.int(-5), scale: 3, r), -5000)
        XCTAssertNil(CellFit.unscaled(.int(Int64.max), scale: 30, r), "overflow refused, not trapped")
        XCTAssertNil(CellFit.unscaled(.double(.nan), scale: 2, r))
        XCTAssertNil(CellFit.unscaled(.double(1e300), scale: 2, r))
        XCTAssertNil(CellFit.unscaled(.bool(true), scale: 0, r))
        XCTAssertTrue(CellFit.fits(.int(99_999), .decimal(precision: 7, scale: 2), r, scratch: &scratch))
        XCTAssertFalse(CellFit.fits(.int(100_000), .decimal(precision: 7, scale: 2), r, scratch: &scratch), "8 digits at scale 2")
        let (t, s) = row("12.5")
        XCTAssertTrue(CellFit.fits(.string(s), .decimal(precision: 3, scale: 1), t, scratch: &scratch))
        XCTAssertFalse(CellFit.fits(.string(s), .decimal(precision: 3, scale: 0), t, scratch: &scratch))
    }

    func testBinaryFromAvroJSONBytes() {
        func b(_ t: String) -> [UInt8]? {
            var out: [UInt8] = []
            return Array(t.utf8).withUnsafeBytes { CellFit.jsonByteString($0, into: &out) } ? out : nil
        }
        XCTAssertEqual(b(#""ab\u0000\u00ff\"\\\n""#), [0x61, 0x62, 0x00, 0xFF, 0x22, 0x5C, 0x0A])
        XCTAssertEqual(b("\"\u{FF}\u{80}\""), [0xFF, 0x80], "code points U+0080–U+00FF as UTF-8")
        XCTAssertEqual(b(#""""#), [])
        XCTAssertNil(b(#""\u0100""#), "not a byte")
        XCTAssertNil(b("\"€\""), "not a byte")
        XCTAssertNil(b(#"{"a":1}"#)); XCTAssertNil(b(#""abc"#)); XCTAssertNil(b(#""\"#))
        var scratch: [UInt8] = []
        let (t, s) = row(#"{"a":1}"#)
        XCTAssertFalse(CellFit.fits(.json(s), .binary, t, scratch: &scratch), "an object is no binary")
        XCTAssertTrue(CellFit.fits(.json(s), .string, t, scratch: &scratch), "but is JSON text")
    }

    /// An Avro array of primitives arrives as its JSON text; LIST columns parse it into cells.
    func testJSONArraysOfScalars() {
        var row = Row(slotCount: 0)
        var scratch: [UInt8] = []
        func parse(_ text: String) -> [Cell]? {
            Array(text.utf8).withUnsafeBytes { JSONArrayCells.parse($0, into: &row, number: &scratch) } ? row.cells : nil
        }
        XCTAssertEqual(parse("[]"), [])
        XCTAssertEqual(parse(" [ 1 , -2,null,true,false ] "), [.int(1), .int(-2), .null, .bool(true), .bool(false)])
        XCTAssertEqual(parse("[1.5,-2e3,9223372036854775808]"), [.double(1.5), .double(-2000), .double(9_223_372_036_854_775_808)],
                       "fractions, exponents and integers past Int64 are doubles")
        XCTAssertEqual(parse("[-9223372036854775808]"), [.int(Int64.min)])
        guard let cells = parse(#"["a\"b\\\/\n\u00e9\ud83d\ude00", "", "✓"]"#), cells.count == 3, case .string(let s0) = cells[0] else {
            return XCTFail("strings")
        }
        XCTAssertEqual(row.string(s0), "a\"b\\/\né😀")
        for bad in ["", "[", "[1,]", "[,1]", "[1 2]", "[{}]", "[[1]]", #"{"a":1}"#, "[nul]", #"["a]"#, #"["\ud800"]"#, "[1] x", "[--1]", "[1.2.3]"] {
            XCTAssertNil(parse(bad), bad)
        }
    }

    func testColumnTypeNames() {
        XCTAssertEqual(FilesSinkSpec.ColumnType(rawValue: "decimal(10,2)"), .decimal(precision: 10, scale: 2))
        XCTAssertEqual(FilesSinkSpec.ColumnType(rawValue: "decimal(38, 0)"), .decimal(precision: 38, scale: 0))
        XCTAssertNil(FilesSinkSpec.ColumnType(rawValue: "decimal(39,2)"))
        XCTAssertNil(FilesSinkSpec.ColumnType(rawValue: "decimal(5,6)"))
        XCTAssertNil(FilesSinkSpec.ColumnType(rawValue: "decimal(5)"))
        XCTAssertEqual(FilesSinkSpec.ColumnType(rawValue: "binary"), .binary)
        for name in FilesSinkSpec.ColumnType.names where name != "decimal(P,S)" {
            XCTAssertEqual(FilesSinkSpec.ColumnType(rawValue: name)?.rawValue, name)
        }
    }

    /// A null in a REQUIRED column (an Avro field without null) is the record's fault.
    func testNullInARequiredColumnIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-cellfit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = FilesSinkSpec(path: dir.path, format: .parquet, columns: [.init("a", .int64, nullable: false), .init("b", .string)])
        spec.sourceSlots = [1, 0]
        let w = try FilesSinkWriter(spec: spec, job: "j", instance: "i", slot: 0, run: 1)
        var r = Row(slotCount: 2)
        r.cells[0] = .string(r.store(Array("x".utf8)))
        r.cells[1] = .null
        XCTAssertThrowsError(try w.write(row: r, encoded: nil, partition: 0)) { e in
            XCTAssertEqual((e as? FileSinkError)?.kind, .record)
            XCTAssertTrue("\(e)".contains("column 'a' is required"), "\(e)")
        }
        r.cells[1] = .int(4)
        try w.write(row: r, encoded: nil, partition: 0)
        XCTAssertEqual(w.rowsWritten, 1)
    }
}
