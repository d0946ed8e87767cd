import XCTest
@testable import WeirFormats

/// The flat-record fast path must decode exactly as the yajl path: same cells,
/// and for every document it does not take, the same result as yajl alone —
/// same error kind, offset and message. Checked on valid flat records, on
/// documents the fast path must hand over, and on thousands of mutations.
final class JSONFlatScanTests: XCTestCase {
    let fields = paths("user_id", "amount", "ts", "page.host", "flag", "amount")

    func decoders() -> (fast: JSONRowDecoder, yajl: JSONRowDecoder) {
        (JSONRowDecoder(fields: fields, limits: .default, captureTopLevel: false, droppedTopLevelKeys: [], framing: .allowed, flatFastPath: true),
         JSONRowDecoder(fields: fields, limits: .default, captureTopLevel: false, droppedTopLevelKeys: [], framing: .allowed, flatFastPath: false))
    }

    /// Decodes with both; returns whether the fast path took it.
    @discardableResult
    func same(_ bytes: [UInt8], _ d: (fast: JSONRowDecoder, yajl: JSONRowDecoder), file: StaticString = #filePath, line: UInt = #line) -> Bool {
        var a = Row(slotCount: 6), b = Row(slotCount: 6)
        let before = d.fast.flatRecords
        let ea = decodeJSON(d.fast, bytes, row: &a), eb = decodeJSON(d.yajl, bytes, row: &b)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(ea, eb, "error of \(text)", file: file, line: line)
        for i in 0..<6 { XCTAssertEqual(a.described(i), b.described(i), "slot \(i) of \(text)", file: file, line: line) }
        return d.fast.flatRecords > before
    }

    func testFlatRecordsTakeTheFastPathAndDecodeAlike() {
        let d = decoders()
        for doc in [
            #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#,
            #"{}"#, #" { } "#, "\t{\r\n\"ts\" :\t-0 ,\"x\":\"\" }\n",
            #"{"amount":-1.5e-3,"ts":9223372036854775807,"flag":true,"other":false,"n":null}"#,
            #"{"amount":18446744073709551616,"ts":-9223372036854775808,"page":"not an object","user_id":"café ✓"}"#,
            #"{"amount":0.1E+2,"ts":1e400x}"#.replacingOccurrences(of: "x", with: ""),   // out of range: refused by both
            #"{"amount":12,"user_id":null,"flag":false}"#,
        ] {
            let took = same(Array(doc.utf8), d)
            if !doc.contains("1e400") { XCTAssertTrue(took, "fast path not taken for \(doc)") }
        }
        XCTAssertGreaterThanOrEqual(d.fast.flatRecords, 7)
    }

    func testEverythingElseIsLeftToYajl() {
        let d = decoders()
        for doc in [
            #"{"page":{"host":"h"},"ts":1}"#,               // nested projected path
            #"{"x":[1,2],"ts":1}"#, #"{"x":{"a":1},"ts":1}"#,
            #"{"user_id":"a\"b","ts":1}"#, #"{"us\u0065r_id":"a"}"#,   // escapes
            #"{"ts":1,"ts":2}"#, #"{"x":1,"x":2}"#, #"{"amount":1,"amount":2}"#,   // duplicates
            #"{"ts":01}"#, #"{"ts":1.}"#, #"{"ts":.5}"#, #"{"ts":+1}"#, #"{"ts":1e}"#, #"{"ts":-}"#,
            #"{"ts":tru}"#, #"{"ts":nulls}"#, #"{"ts":1,}"#, #"{,"ts":1}"#, #"{"ts" 1}"#, #"{"ts":1"#,
            #"{"ts":1}x"#, #"{"ts":1}{}"#, "{\"ts\":1\u{0B}}", "{\"a\":\"x\ty\"}", #"{"ts":1/**/}"#,
            #"{"ts":"#, #"{"#, #"{"ts":1 "#,
        ] {
            XCTAssertFalse(same(Array(doc.utf8), d), "fast path took \(doc)")
        }
        // flat, but not UTF-8 inside a string (or a key): refused exactly as yajl's path refuses it
        for bytes: [UInt8] in [Array(#"{"user_id":""#.utf8) + [0xC3, 0x28] + Array(#"","ts":1}"#.utf8),
                               Array(#"{"a"#.utf8) + [0xFF] + Array(#"":1}"#.utf8)] {
            XCTAssertFalse(same(bytes, d))
        }
        XCTAssertEqual(d.fast.flatRecords, 0)
    }

    func testMutationsDecodeAlike() {
        let d = decoders()
        var rng = JSONDecoderFuzzTests.SplitMix(state: 0xF1A7)
        let seeds = [#"{"user_id":"u123","amount":12.34,"ts":1764064800123,"flag":true,"x":null}"#,
                     #"{ "ts" : -0.5e3 , "user_id" : "é" , "page" : 3 }"#]
        let alphabet = Array(#"{}[]":,\"0123456789-+.eEtrufalsn "#.utf8) + [0x00, 0x0B, 0x80, 0xC3, 0xFF, 0x0A, 0x09]
        var took = 0
        for k in 0..<6000 {
            var bytes = Array(seeds[k % seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = alphabet.randomElement(using: &rng) ?? 0
                case 2: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: Int.random(in: 0...bytes.count, using: &rng))
                default: if !bytes.isEmpty { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng)) }
                }
            }
            if same(bytes, d) { took += 1 }
        }
        XCTAssertGreaterThan(took, 300, "the mutations must exercise the fast path too")
    }
}
