import XCTest
import WeirFormats

final class JSONRowDecoderProjectionTests: XCTestCase {
    func testFlatProjection() {
        let d = JSONRowDecoder(fields: paths("user_id", "amount", "ts"))
        var row = Row(slotCount: 3)
        XCTAssertNil(decodeJSON(d, #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(u123)")
        XCTAssertEqual(row.cells[1], .double(12.34))
        XCTAssertEqual(row.cells[2], .int(1764064800123))
    }

    func testNestedAbsentNullAndBool() {
        let d = JSONRowDecoder(fields: paths("page.url", "page.missing", "absent", "n", "t", "f", "page.ref.depth"))
        var row = Row(slotCount: 7)
        let doc = #" { "n" : null, "page": {"title":"x", "url": "https://e.x/a?b=1", "ref": {"depth": 3}}, "t":true, "f" :false } "#
        XCTAssertNil(decodeJSON(d, doc, row: &row))
        XCTAssertEqual(row.described(0), "string(https://e.x/a?b=1)")
        XCTAssertEqual(row.cells[1], .missing)
        XCTAssertEqual(row.cells[2], .missing)
        XCTAssertEqual(row.cells[3], .null)
        XCTAssertEqual(row.cells[4], .bool(true))
        XCTAssertEqual(row.cells[5], .bool(false))
        XCTAssertEqual(row.cells[6], .int(3))
    }

    func testIntegersAtTheEdgesAndBeyond() {
        let d = JSONRowDecoder(fields: paths("max", "min", "over", "under", "zero", "negzero", "huge"))
        var row = Row(slotCount: 7)
        let doc = #"{"max":9223372036854775807,"min":-9223372036854775808,"over":9223372036854775808,"#
            + #""under":-9223372036854775809,"zero":0,"negzero":-0,"huge":123456789012345678901234567890}"#
        XCTAssertNil(decodeJSON(d, doc, row: &row))
        XCTAssertEqual(row.cells[0], .int(Int64.max))
        XCTAssertEqual(row.cells[1], .int(Int64.min))
        XCTAssertEqual(row.cells[2], .double(9223372036854775808.0))
        XCTAssertEqual(row.cells[3], .double(-9223372036854775809.0))
        XCTAssertEqual(row.cells[4], .int(0))
        XCTAssertEqual(row.cells[5], .int(0))
        XCTAssertEqual(row.cells[6], .double(123456789012345678901234567890.0))
    }

    func testDoubles() {
        let texts = ["12.34", "-0.5", "1e3", "1E-3", "2.5e+10", "0.1", "-0.0", "1.7976931348623157e308",
                     "5e-324", "4.9e-324", "0.30000000000000004", "123456789.123456789", "1e-400",
                     "9007199254740993.0", "3.141592653589793238462643383279", "100000000000000000000000.0"]
        let d = JSONRowDecoder(fields: paths("v"))
        var row = Row(slotCount: 1)
        for text in texts {
            XCTAssertNil(decodeJSON(d, "{\"v\":\(text)}", row: &row), text)
            guard case .double(let v) = row.cells[0] else { XCTFail("\(text): \(row.described(0))"); continue }
            let expected = Double(text) ?? .nan
            XCTAssertEqual(v.bitPattern, expected.bitPattern, "\(text) -> \(v), expected \(expected)")
        }
    }

    func testEscapedStrings() {
        let d = JSONRowDecoder(fields: paths("e", "q", "s", "c", "plain", "lone"))
        var row = Row(slotCount: 6)
        let doc = #"{"e":"caf\u00e9","q":"say \"hi\" \\ \/","s":"\ud83d\ude00!","c":"a\n\t\u0001b","plain":"ü€","lone":"x\ud800y"}"#
        XCTAssertNil(decodeJSON(d, doc, row: &row))
        XCTAssertEqual(row.described(0), "string(café)")
        XCTAssertEqual(row.described(1), #"string(say "hi" \ /)"#)
        XCTAssertEqual(row.described(2), "string(😀!)")
        XCTAssertEqual(row.described(3), "string(a\n\t\u{1}b)")
        XCTAssertEqual(row.described(4), "string(ü€)")
        // yajl turns an unpaired surrogate escape into '?' rather than failing.
        XCTAssertEqual(row.described(5), "string(x?y)")
    }

    func testObjectAndArrayFragmentsKeepTheirText() {
        let d = JSONRowDecoder(fields: paths("page", "tags", "page.url", "empty", "nested"))
        var row = Row(slotCount: 5)
        let doc = #"{"tags": [1, "two", {"three": [3]}], "page": {"url": "u", "n": [1,2]}, "empty":{}, "nested":[[[]]]}"#
        XCTAssertNil(decodeJSON(d, doc, row: &row))
        XCTAssertEqual(row.described(0), #"json({"url": "u", "n": [1,2]})"#)
        XCTAssertEqual(row.described(1), #"json([1, "two", {"three": [3]}])"#)
        XCTAssertEqual(row.described(2), "string(u)")
        XCTAssertEqual(row.described(3), "json({})")
        XCTAssertEqual(row.described(4), "json([[[]]])")
    }

    func testKeysThatArePrefixesOfEachOther() {
        let d = JSONRowDecoder(fields: paths("user", "user_id", "a", "ab", "abc"))
        var row = Row(slotCount: 5)
        XCTAssertNil(decodeJSON(d, #"{"user_id":"long","abc":3,"a":1,"user":"short","ab":2,"abcd":4,"us":0}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(short)")
        XCTAssertEqual(row.described(1), "string(long)")
        XCTAssertEqual(row.cells[2], .int(1))
        XCTAssertEqual(row.cells[3], .int(2))
        XCTAssertEqual(row.cells[4], .int(3))
    }

    func testSameKeyAtAnotherDepthDoesNotMatch() {
        let d = JSONRowDecoder(fields: paths("url", "page.url"))
        var row = Row(slotCount: 2)
        XCTAssertNil(decodeJSON(d, #"{"other":{"url":"deep"},"page":{"x":{"url":"deeper"},"url":"p"},"url":"top"}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(top)")
        XCTAssertEqual(row.described(1), "string(p)")

        XCTAssertNil(decodeJSON(d, #"{"other":{"url":"deep"},"page":{"x":{"url":"deeper"}}}"#, row: &row))
        XCTAssertEqual(row.cells[0], .missing)
        XCTAssertEqual(row.cells[1], .missing)
    }

    func testPathsDoNotContinueThroughArraysOrScalars() {
        let d = JSONRowDecoder(fields: paths("page.url"))
        var row = Row(slotCount: 1)
        XCTAssertNil(decodeJSON(d, #"{"page":[{"url":"in array"}]}"#, row: &row))
        XCTAssertEqual(row.cells[0], .missing)
        XCTAssertNil(decodeJSON(d, #"{"page":"url"}"#, row: &row))
        XCTAssertEqual(row.cells[0], .missing)
    }

    func testEscapedKeyMatchesItsDecodedText() {
        let d = JSONRowDecoder(fields: paths("user_id", "é"))
        var row = Row(slotCount: 2)
        XCTAssertNil(decodeJSON(d, #"{"user\u005fid":"u1","\u00e9":1}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(u1)")
        XCTAssertEqual(row.cells[1], .int(1))
    }

    func testSamePathProjectedTwiceFillsBothSlots() {
        let d = JSONRowDecoder(fields: paths("a", "b", "a"))
        var row = Row(slotCount: 3)
        XCTAssertNil(decodeJSON(d, #"{"a":"x","b":2}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(x)")
        XCTAssertEqual(row.described(2), "string(x)")
    }

    func testDecodeResetsTheWholeRow() {
        let d = JSONRowDecoder(fields: paths("a", "b"))
        var row = Row(slotCount: 3)                  // slot 2 is a computed value
        XCTAssertNil(decodeJSON(d, #"{"a":"first","b":1}"#, row: &row))
        row.cells[2] = .int(99)
        XCTAssertNil(decodeJSON(d, #"{"b":2}"#, row: &row))
        XCTAssertEqual(row.cells[0], .missing)
        XCTAssertEqual(row.cells[1], .int(2))
        XCTAssertEqual(row.cells[2], .missing)
        XCTAssertTrue(row.arena.isEmpty)
    }

    func testRowSmallerThanProjectionIsWidened() {
        let d = JSONRowDecoder(fields: paths("a", "b"))
        var row = Row(slotCount: 0)
        XCTAssertNil(decodeJSON(d, #"{"a":1,"b":2}"#, row: &row))
        XCTAssertEqual(row.cells, [.int(1), .int(2)])
    }

    func testConfluentFramedRecords() {
        let d = JSONRowDecoder(fields: paths("a"))
        var row = Row(slotCount: 1)
        let framed = ConfluentFrame.header(schemaID: 0x0102_0304) + Array(#"{"a":"x"}"#.utf8)
        XCTAssertNil(decodeJSON(d, framed, row: &row))
        XCTAssertEqual(d.lastSchemaID, 0x0102_0304)
        XCTAssertEqual(row.described(0), "string(x)")
        XCTAssertNil(decodeJSON(d, #"{"a":"y"}"#, row: &row))
        XCTAssertNil(d.lastSchemaID)
        XCTAssertEqual(row.described(0), "string(y)")

        framed.withUnsafeBytes { raw in
            let (id, payload) = ConfluentFrame.parse(raw)
            XCTAssertEqual(id, 0x0102_0304)
            XCTAssertEqual(String(decoding: payload, as: UTF8.self), #"{"a":"x"}"#)
        }
        Array(#"{"a":1}"#.utf8).withUnsafeBytes { raw in
            let (id, payload) = ConfluentFrame.parse(raw)
            XCTAssertNil(id)
            XCTAssertEqual(payload.count, raw.count)
        }

        let required = JSONRowDecoder(fields: paths("a"), framing: .required)
        XCTAssertEqual(decodeJSON(required, #"{"a":1}"#, row: &row)?.kind, .badFrame)
        XCTAssertNil(decodeJSON(required, framed, row: &row))
        XCTAssertEqual(decodeJSON(d, [0, 0, 1], row: &row)?.kind, .badFrame)
        XCTAssertEqual(decodeJSON(d, ConfluentFrame.header(schemaID: 7), row: &row)?.kind, .empty)

        let plain = JSONRowDecoder(fields: paths("a"), framing: .plain)
        XCTAssertEqual(decodeJSON(plain, framed, row: &row)?.kind, .notAnObject)
    }

    func testManyTopLevelKeysUseTheHashedDuplicateCheck() {
        let d = JSONRowDecoder(fields: paths("k7"))
        var row = Row(slotCount: 1)
        let keys = (0..<200).map { "\"k\($0)\":\($0)" }
        XCTAssertNil(decodeJSON(d, "{" + keys.joined(separator: ",") + "}", row: &row))
        XCTAssertEqual(row.cells[0], .int(7))
        // Same again: the table's generation stamps must not see last record's keys.
        XCTAssertNil(decodeJSON(d, "{" + keys.joined(separator: ",") + "}", row: &row))
        let duplicated = keys + ["\"k150\":0"]
        let error = decodeJSON(d, "{" + duplicated.joined(separator: ",") + "}", row: &row)
        XCTAssertEqual(error?.kind, .duplicateKey)
        XCTAssertEqual(row.cells[0], .missing, "a failed record leaves no partial cells")
    }
}
