import XCTest
import WeirFormats

final class JSONRowDecoderErrorTests: XCTestCase {
    let decoder = JSONRowDecoder(fields: paths("user_id", "amount", "page.url"))
    var row = Row(slotCount: 3)

    private func kind(_ text: String) -> DecodeError.Kind? { decodeJSON(decoder, text, row: &row)?.kind }
    private func kind(_ bytes: [UInt8]) -> DecodeError.Kind? { decodeJSON(decoder, bytes, row: &row)?.kind }

    func testEveryPrefixOfAValidDocumentIsTruncated() {
        let doc = #"{"user_id":"caf\u00e9 😀","amount":-12.5e3,"page":{"url":"x","list":[true,false,null,{}]},"z":[]}"#
        let bytes = Array(doc.utf8)
        XCTAssertNil(kind(bytes))
        for n in 1..<bytes.count {
            let error = decodeJSON(decoder, Array(bytes[..<n]), row: &row)
            XCTAssertEqual(error?.kind, .truncated, "prefix of \(n) bytes: \(error.map(String.init(describing:)) ?? "accepted")")
            XCTAssertEqual(error?.offset, n)
        }
    }

    func testSyntaxErrors() {
        XCTAssertEqual(kind(#"{"a" 1}"#), .syntax)
        XCTAssertEqual(kind(#"{"a":1,}"#), .syntax)
        XCTAssertEqual(kind(#"{a:1}"#), .syntax)
        XCTAssertEqual(kind(#"{"a":01}"#), .syntax)
        XCTAssertEqual(kind(#"{"a":'x'}"#), .syntax)
        XCTAssertEqual(kind("{\"a\":\"tab\tinside\"}"), .syntax, "raw control character in a string")
        XCTAssertEqual(kind(#"{"a":1} // comment"#), .syntax)
        XCTAssertEqual(kind(#"{"a":"\x"}"#), .syntax)
        XCTAssertEqual(kind(#"{"a":nul}"#), .syntax)
    }

    func testTrailingGarbageAndMultipleValues() {
        XCTAssertEqual(kind("{} x"), .syntax)
        XCTAssertEqual(kind("{}{}"), .syntax)
        XCTAssertEqual(kind(#"{"a":1} {"a":2}"#), .syntax)
        XCTAssertEqual(kind("{} 1"), .syntax)
        let error = decodeJSON(decoder, "{}   12", row: &row)
        XCTAssertEqual(error?.kind, .syntax)
        XCTAssertEqual(error?.offset, 5)
        XCTAssertNil(kind("{}  \n\t "), "trailing whitespace is fine")
    }

    /// The decoder reuses one yajl handle across records and drops it after
    /// anything that can leave it mid-value: no bad record may change how
    /// the next good one decodes, or be accepted because of the one before.
    func testAReusedHandleCarriesNothingOverFromABadRecord() {
        let good = #"{"user_id":"u1","amount":2.5,"page":{"url":"/x"}}"#
        let bad: [(String, DecodeError.Kind)] = [
            (#"{"amount":12"#, .truncated), ("{} 12", .syntax), ("{}{}", .syntax), (#"{"a":1} {"a":2}"#, .syntax),
            (#"{"amount":1,"amount":2}"#, .duplicateKey), (#"{"a" 1}"#, .syntax), ("[1]", .notAnObject),
            (#"{"user_id":"cut"#, .truncated), ("{} null", .syntax), (#"{"amount":1e999999}"#, .syntax),
        ]
        XCTAssertNil(kind(good))
        for (text, expected) in bad {
            XCTAssertEqual(kind(text), expected, text)
            XCTAssertNil(kind(good), "after \(text)")
            XCTAssertEqual(row.described(0), "string(u1)", "after \(text)")
            XCTAssertEqual(row.described(2), "string(/x)", "after \(text)")
            // A continuation of the bad record is not accepted either.
            XCTAssertNotNil(kind("}"), "after \(text)")
            XCTAssertNil(kind(good))
        }
        // Many good records in a row on one handle.
        for i in 0..<1000 {
            XCTAssertNil(kind(#"{"user_id":"u\#(i)","amount":\#(i)}"#))
            XCTAssertEqual(row.described(0), "string(u\(i))")
        }
    }

    func testInvalidUTF8() {
        XCTAssertEqual(kind(Array(#"{"user_id":""#.utf8) + [0xFF] + Array(#""}"#.utf8)), .invalidUTF8)
        XCTAssertEqual(kind(Array(#"{"x":"a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)), .invalidUTF8)
        XCTAssertEqual(kind(Array(#"{""#.utf8) + [0xED, 0xA0, 0x80] + Array(#"":1}"#.utf8)), .invalidUTF8, "surrogate in a key")
        XCTAssertEqual(kind(Array(#"{"x":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)), .invalidUTF8, "overlong")
    }

    func testDuplicateKeys() {
        XCTAssertEqual(kind(#"{"user_id":"a","user_id":"b"}"#), .duplicateKey, "projected")
        XCTAssertEqual(kind(#"{"other":1,"x":2,"other":3}"#), .duplicateKey, "unprojected top-level")
        XCTAssertEqual(kind(#"{"page":{"url":"a","url":"b"}}"#), .duplicateKey, "projected nested")
        XCTAssertEqual(kind(#"{"page":{"url":"a"},"page":{"y":1}}"#), .duplicateKey, "projected parent")
        XCTAssertEqual(kind(#"{"a":1,"\u0061":2}"#), .duplicateKey, "same key spelled with an escape")
        let error = decodeJSON(decoder, #"{"amount":1, "amount":2}"#, row: &row)
        XCTAssertEqual(error?.message, #"duplicate key "amount""#)
        XCTAssertEqual(error?.offset, 21)
        // Deeper keys off the projected paths are not checked (documented): their bytes travel verbatim.
        XCTAssertNil(kind(#"{"other":{"k":1,"k":2},"page":{"z":{"q":1,"q":2}}}"#))
        // The same key in different objects is not a duplicate.
        XCTAssertNil(kind(#"{"url":1,"page":{"url":"a"},"x":{"url":2}}"#))
    }

    func testDepthLimit() {
        func nested(_ depth: Int) -> String {
            "{\"a\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        XCTAssertNil(kind(nested(64)))
        XCTAssertEqual(kind(nested(65)), .tooDeep)
        XCTAssertEqual(kind(nested(10_000)), .tooDeep)
        let objects = String(repeating: #"{"p":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertEqual(kind(objects), .tooDeep)
        let shallow = JSONRowDecoder(fields: [], limits: JSONLimits(maxDepth: 2))
        XCTAssertNil(decodeJSON(shallow, #"{"a":{"b":1}}"#, row: &row))
        XCTAssertEqual(decodeJSON(shallow, #"{"a":{"b":[]}}"#, row: &row)?.kind, .tooDeep)
    }

    func testSizeLimit() {
        let small = JSONRowDecoder(fields: paths("a"), limits: JSONLimits(maxBytes: 16))
        XCTAssertNil(decodeJSON(small, #"{"a":"12345678"}"#, row: &row))          // 16 bytes
        XCTAssertEqual(decodeJSON(small, #"{"a":"123456789"}"#, row: &row)?.kind, .tooLarge)
        let big = "{\"a\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
        XCTAssertEqual(kind(big), .tooLarge)
    }

    func testEmptyInput() {
        XCTAssertEqual(kind([UInt8]()), .empty)
        XCTAssertEqual(kind(" \n\t\r "), .empty)
    }

    func testTopLevelMustBeAnObject() {
        for text in ["[1,2]", "12", "-1", "\"s\"", "true", "null", "  [", "x"] {
            let error = decodeJSON(decoder, text, row: &row)
            XCTAssertEqual(error?.kind, .notAnObject, text)
            XCTAssertEqual(error?.message, "expected a JSON object", text)
        }
    }

    func testProjectedNumberOutOfRange() {
        XCTAssertEqual(kind(#"{"amount":1e400}"#), .syntax)
        XCTAssertEqual(kind(#"{"amount":-1e400}"#), .syntax)
        XCTAssertNil(kind(#"{"unread":1e400}"#), "numbers nobody reads are not converted")
    }

    func testFailedRecordLeavesNoCellsAndTheNextOneDecodes() {
        XCTAssertEqual(kind(#"{"user_id":"a","amount":1,"oops"}"#), .syntax)
        XCTAssertEqual(row.cells, [.missing, .missing, .missing])
        XCTAssertNil(kind(#"{"user_id":"b","amount":2}"#))
        XCTAssertEqual(row.described(0), "string(b)")
        XCTAssertEqual(row.cells[1], .int(2))
    }
}
