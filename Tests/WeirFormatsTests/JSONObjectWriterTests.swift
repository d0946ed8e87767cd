import XCTest
@testable import WeirFormats

/// `JSONObjectWriter` must write what yajl's generator wrote, byte for byte,
/// and fail where it failed: compared on random rows (every ASCII byte in
/// strings and names, multi-byte and invalid UTF-8, extreme numbers, all
/// cell kinds), projected and edited.
final class JSONObjectWriterTests: XCTestCase {
    func encode(_ encoder: JSONRowEncoder, _ row: Row, _ layout: JSONOutputLayout) -> Result<[UInt8], EncodeError> {
        do throws(EncodeError) { return .success(Array(try encoder.encodeProjected(row: row, layout: layout))) } catch { return .failure(error) }
    }

    func testRandomRowsMatchYajl() {
        var rng = JSONDecoderFuzzTests.SplitMix(state: 0xE1C0DE)
        let writer = JSONRowEncoder(), yajl = JSONRowEncoder(yajlReference: true)
        let pieces: [[UInt8]] = (0..<128).map { [UInt8($0)] } + [Array("é".utf8), Array("😀".utf8), Array("\u{2028}".utf8),
                                                                   [0xC3], [0xFF], [0xED, 0xA0, 0x80], Array("abc".utf8)]
        let doubles: [Double] = [0, -0.0, 12.34, 1e300, 5e-324, -1.5e-7, .nan, .infinity, -.infinity, 100, 0.1, 123456789012345678]
        let ints: [Int64] = [0, 1, -1, 9, 10, -10, .max, .min, 1_795_600_800_000]
        var compared = 0, failures = 0
        for _ in 0..<3000 {
            let n = Int.random(in: 1...6, using: &rng)
            var row = Row(slotCount: n)
            for s in 0..<n {
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: row.cells[s] = .missing
                case 1: row.cells[s] = .null
                case 2: row.cells[s] = .bool(Bool.random(using: &rng))
                case 3: row.cells[s] = .int(ints.randomElement(using: &rng) ?? 0)
                case 4: row.cells[s] = .double(doubles.randomElement(using: &rng) ?? 0)
                case 5: row.cells[s] = .json(row.store(Array(#"[1,{"a":"\n"},null]"#.utf8)))
                default:
                    var text: [UInt8] = []
                    for _ in 0..<Int.random(in: 0...12, using: &rng) { text += pieces.randomElement(using: &rng) ?? [] }
                    row.cells[s] = .string(row.store(text))
                }
            }
            var fields: [(name: String, slot: Int)] = []
            for i in 0..<Int.random(in: 0...n, using: &rng) {
                var name = "f\(i)"
                if Bool.random(using: &rng) { name += String(UnicodeScalar(UInt8.random(in: 0...127, using: &rng))) + "é" }
                fields.append((name, Int.random(in: 0..<n + (Int.random(in: 0..<20, using: &rng) == 0 ? 1 : 0), using: &rng)))
            }
            let layout = JSONOutputLayout(fields)
            let a = encode(writer, row, layout), b = encode(yajl, row, layout)
            XCTAssertEqual(a, b, "layout \(fields)")
            if case .failure = b { failures += 1 }
            compared += 1
        }
        XCTAssertGreaterThan(failures, 50, "invalid UTF-8 and bad slots must be exercised")
        XCTAssertGreaterThan(compared - failures, 1000)
    }

    func testEditedOutputMatchesYajl() throws {
        let fields = paths("user_id", "amount")
        let doc = Array(#"{ "user_id" : "u1", "debug":{"x":[1]}, "amount": 12.5 ,"ts":1}"#.utf8)
        let layout = JSONEditLayout(removed: ["debug"], append: [("cents", 2), ("user_id", 0), ("note", 3)])
        var results: [[UInt8]] = []
        for yajlReference in [false, true] {
            let decoder = JSONRowDecoder(fields: fields, captureTopLevel: true, droppedTopLevelKeys: layout.droppedKeys)
            var row = Row(slotCount: 4)
            XCTAssertNil(decodeJSON(decoder, doc, row: &row))
            row.cells[2] = .int(1250)
            row.cells[3] = .string(row.store(Array("tab\there \"q\"".utf8)))
            let encoder = JSONRowEncoder(yajlReference: yajlReference)
            results.append(try doc.withUnsafeBytes { Array(try encoder.encodeEdited(original: $0, members: decoder.topLevelMembers, layout: layout, row: row)) })
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(String(decoding: results[0], as: UTF8.self),
                       #"{"amount": 12.5 ,"ts":1,"cents":1250,"user_id":"u1","note":"tab\there \"q\""}"#)
    }
}
