import XCTest
import Foundation
import WeirFormats

final class JSONRowEncoderTests: XCTestCase {
    private func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

    private func parsed(_ bytes: UnsafeRawBufferPointer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        return try XCTUnwrap(object as? [String: Any])
    }

    private func stringCell(_ row: inout Row, _ s: String) -> Cell { .string(row.store(Array(s.utf8))) }

    func testProjectedRoundTripThroughFoundation() throws {
        var row = Row(slotCount: 12)
        let special = "quote\" backslash\\ slash/ newline\n tab\t ctrl\u{01}\u{1F} é 😀 \u{2028}"
        row.cells[0] = stringCell(&row, special)
        row.cells[1] = .int(Int64.max)
        row.cells[2] = .int(Int64.min)
        row.cells[3] = .double(12.34)
        row.cells[4] = .double(1e300)
        row.cells[5] = .bool(true)
        row.cells[6] = .null
        row.cells[7] = .missing
        row.cells[8] = .json(row.store(Array(#"{"k":[1,"x",null]}"#.utf8)))
        row.cells[9] = .double(-0.0)
        row.cells[10] = stringCell(&row, "")
        row.cells[11] = .double(5e-324)
        let layout = JSONOutputLayout([("s", 0), ("max", 1), ("min", 2), ("d", 3), ("big", 4), ("b", 5),
                                       ("n", 6), ("gone", 7), ("frag", 8), ("negzero", 9), ("empty", 10),
                                       ("tiny", 11), ("key \"quoted\"", 0)])
        let encoder = JSONRowEncoder()
        let out = try encoder.encodeProjected(row: row, layout: layout)
        let object = try parsed(out)
        XCTAssertEqual(object["s"] as? String, special)
        XCTAssertEqual(object["key \"quoted\""] as? String, special)
        XCTAssertEqual((object["max"] as? NSNumber)?.int64Value, Int64.max)
        XCTAssertEqual((object["min"] as? NSNumber)?.int64Value, Int64.min)
        XCTAssertEqual((object["d"] as? NSNumber)?.doubleValue, 12.34)
        XCTAssertEqual((object["big"] as? NSNumber)?.doubleValue, 1e300)
        XCTAssertEqual((object["tiny"] as? NSNumber)?.doubleValue, 5e-324)
        XCTAssertEqual(object["b"] as? Bool, true)
        XCTAssertTrue(object["n"] is NSNull)
        XCTAssertNil(object["gone"], ".missing is omitted")
        XCTAssertEqual(object["empty"] as? String, "")
        let fragment = try XCTUnwrap(object["frag"] as? [String: Any])
        XCTAssertEqual(fragment["k"] as? [AnyHashable], [1, "x", NSNull()] as [AnyHashable])
        XCTAssertEqual(object.count, 12)
        // Field order is the layout's; fragments are verbatim; ints are integers.
        let s = text(out)
        XCTAssertTrue(s.hasPrefix(#"{"s":"quote\" backslash\\ slash/ newline\n tab\t ctrl\u0001\u001F é 😀"#), s)
        XCTAssertTrue(s.contains(#","max":9223372036854775807,"min":-9223372036854775808,"d":12.34,"big":1e+300,"b":true,"n":null,"frag":{"k":[1,"x",null]},"negzero":-0.0,"#), s)
    }

    /// Integers are written by the encoder itself (not yajl's sprintf): the same text as Swift's.
    func testIntegersAreWrittenExactly() throws {
        let encoder = JSONRowEncoder()
        let layout = JSONOutputLayout([("v", 0)])
        var row = Row(slotCount: 1)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1, 1_795_600_860_000]
        var rng = SplitMix(state: 7)
        for _ in 0..<5000 { values.append(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)) }
        for v in values {
            row.cells[0] = .int(v)
            XCTAssertEqual(text(try encoder.encodeProjected(row: row, layout: layout)), "{\"v\":\(v)}")
        }
    }

    /// Short decimals take a direct path; everything must still be written
    /// exactly as Swift's shortest round-trip `description` writes it.
    func testDoublesAreWrittenAsSwiftWritesThem() throws {
        let encoder = JSONRowEncoder()
        let layout = JSONOutputLayout([("v", 0)])
        var row = Row(slotCount: 1)
        var values: [Double] = [0.001, 0.0011, 0.01, 0.1, 0.5, 1.5, 12.34, 645.29, 99999999999.9, 1e11, 123456789.1234,
                                0.0009, 100, 100.5, 1.0 / 3, 2.675, 1.005, 1e-7, 5e15, 12.3400001, -0.25, -645.29]
        var rng = SplitMix(state: 11)
        for _ in 0..<20_000 {
            let units = Int64(bitPattern: rng.next() % 200_000_000_000) - 100_000_000_000
            let scale = [1.0, 10, 100, 1000, 10_000, 100_000][Int(rng.next() % 6)]
            values.append(Double(units) / scale)
            values.append(Double(bitPattern: rng.next() >> 2 | 0x3F00_0000_0000_0000))   // arbitrary doubles around 1e-5...1e10
        }
        for v in values where v.isFinite {
            row.cells[0] = .double(v)
            XCTAssertEqual(text(try encoder.encodeProjected(row: row, layout: layout)), "{\"v\":\(v.description)}", "\(v)")
        }
    }

    func testDoublesAreShortestAndRoundTrip() throws {
        let encoder = JSONRowEncoder()
        let layout = JSONOutputLayout([("v", 0)])
        var row = Row(slotCount: 1)
        let cases: [(Double, String)] = [(12.5, "12.5"), (12.34, "12.34"), (0.1, "0.1"), (100, "100.0"),
                                         (1.0 / 3, "0.3333333333333333"), (1e-7, "1e-07"), (-2.5e20, "-2.5e+20")]
        for (value, expected) in cases {
            row.cells[0] = .double(value)
            XCTAssertEqual(text(try encoder.encodeProjected(row: row, layout: layout)), "{\"v\":\(expected)}")
        }
        var rng = SplitMix(state: 42)
        let decoder = JSONRowDecoder(fields: paths("v"))
        var back = Row(slotCount: 1)
        var checked = 0
        while checked < 5000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            checked += 1
            row.cells[0] = .double(value)
            let out = try encoder.encodeProjected(row: row, layout: layout)
            let s = text(out)
            XCTAssertEqual(s, "{\"v\":\(value.description)}", "not the shortest form")
            // Read back with our decoder (Clinger/strtod) and with the standard library.
            XCTAssertNil(decodeJSON(decoder, Array(out), row: &back))
            guard case .double(let decoded) = back.cells[0] else { XCTFail(s); continue }
            XCTAssertEqual(decoded.bitPattern, value.bitPattern, s)
            XCTAssertEqual(Double(value.description)?.bitPattern, value.bitPattern)
        }
    }

    func testNonFiniteDoublesAreNull() throws {
        let encoder = JSONRowEncoder()
        var row = Row(slotCount: 3)
        row.cells = [.double(.nan), .double(.infinity), .double(-.infinity)]
        let out = try encoder.encodeProjected(row: row, layout: JSONOutputLayout([("a", 0), ("b", 1), ("c", 2)]))
        XCTAssertEqual(text(out), #"{"a":null,"b":null,"c":null}"#)
    }

    func testInvalidCellsThrowInsteadOfWritingBadJSON() {
        let encoder = JSONRowEncoder()
        var row = Row(slotCount: 2)
        row.cells[0] = .string(row.store([0x61, 0xFF, 0x62]))
        XCTAssertThrowsError(try encoder.encodeProjected(row: row, layout: JSONOutputLayout([("bad", 0)]))) {
            XCTAssertEqual(($0 as? EncodeError)?.kind, .invalidUTF8)
            XCTAssertEqual(($0 as? EncodeError)?.field, "bad")
        }
        row.cells[0] = .string(ByteSpan(start: 2, count: 100))
        XCTAssertThrowsError(try encoder.encodeProjected(row: row, layout: JSONOutputLayout([("s", 0)]))) {
            XCTAssertEqual(($0 as? EncodeError)?.kind, .spanOutOfRange)
        }
        XCTAssertThrowsError(try encoder.encodeProjected(row: row, layout: JSONOutputLayout([("s", 5)]))) {
            XCTAssertEqual(($0 as? EncodeError)?.kind, .slotOutOfRange)
        }
        // The encoder is usable after an error.
        row.cells[1] = .int(1)
        XCTAssertEqual(try text(encoder.encodeProjected(row: row, layout: JSONOutputLayout([("ok", 1)]))), #"{"ok":1}"#)
    }

    func testDecodedRowProjectsBack() throws {
        let decoder = JSONRowDecoder(fields: paths("user_id", "amount", "page.url", "page", "tags"))
        var row = Row(slotCount: 6)
        XCTAssertNil(decodeJSON(decoder, #"{"user_id":"caf\u00e9","amount":12.5,"page":{"url":"/a\"b","x":[1,2]},"tags":["a"],"z":1}"#, row: &row))
        row.cells[5] = .int(7)                       // a computed slot
        let layout = JSONOutputLayout([("user", 0), ("amount", 1), ("url", 2), ("page", 3), ("tags", 4), ("computed", 5)])
        let encoder = JSONRowEncoder()              // the output lives as long as the encoder (until its next call)
        let out = try encoder.encodeProjected(row: row, layout: layout)
        XCTAssertEqual(text(out), #"{"user":"café","amount":12.5,"url":"/a\"b","page":{"url":"/a\"b","x":[1,2]},"tags":["a"],"computed":7}"#)
    }

    // MARK: edited output

    private func edit(_ doc: String, removed: Set<String>, append: [(name: String, slot: Int)],
                      fields: [FieldPath] = [], compute: (inout Row) -> Void = { _ in }) throws -> String {
        let layout = JSONEditLayout(removed: removed, append: append)
        let decoder = JSONRowDecoder(fields: fields, captureTopLevel: true, droppedTopLevelKeys: layout.droppedKeys)
        let encoder = JSONRowEncoder()
        var row = Row(slotCount: fields.count + 4)
        let bytes = Array(doc.utf8)
        XCTAssertNil(decodeJSON(decoder, bytes, row: &row))
        compute(&row)
        return try bytes.withUnsafeBytes { raw in
            text(try encoder.encodeEdited(original: raw, members: decoder.topLevelMembers, layout: layout, row: row))
        }
    }

    func testEditedKeepsOriginalBytesInOrderMinusRemovedPlusAppended() throws {
        let doc = #"{ "a" : 1 , "drop1":{"x":[1,2]}, "b":"two\u00e9", "c" :[ true ],"drop2":null ,"d": 4.50 }"#
        let out = try edit(doc, removed: ["drop1", "drop2"], append: [("sum", 0), ("label", 1)], fields: paths("a")) { row in
            row.cells[0] = .double(5.5)
            row.cells[1] = .string(row.store(Array("x\"y".utf8)))
        }
        XCTAssertEqual(out, #"{"a" : 1,"b":"two\u00e9", "c" :[ true ],"d": 4.50,"sum":5.5,"label":"x\"y"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        XCTAssertEqual(object?["b"] as? String, "twoé")
        XCTAssertEqual(object?["d"] as? Double, 4.5)
        XCTAssertEqual(object?["label"] as? String, "x\"y")
        XCTAssertEqual(object?.count, 6)
    }

    func testEditedEdgeCases() throws {
        XCTAssertEqual(try edit(#"{}"#, removed: [], append: []), "{}")
        XCTAssertEqual(try edit(#"{}"#, removed: ["a"], append: [("n", 0)]) { $0.cells[0] = .int(1) }, #"{"n":1}"#)
        XCTAssertEqual(try edit(#"{"a":1,"b":2}"#, removed: ["a", "b"], append: []), "{}")
        XCTAssertEqual(try edit(#"{"a":1,"b":2}"#, removed: ["a"], append: []), #"{"b":2}"#)
        XCTAssertEqual(try edit(#"{"a":1,"b":2}"#, removed: ["b"], append: []), #"{"a":1}"#)
        XCTAssertEqual(try edit(#"{"a":1,"b":2}"#, removed: [], append: [("m", 0)]), #"{"a":1,"b":2}"#, ".missing appended fields are omitted")
        // An appended name that exists replaces the member: no duplicate key.
        XCTAssertEqual(try edit(#"{"a":1,"b":2}"#, removed: [], append: [("a", 0)]) { $0.cells[0] = .int(9) }, #"{"b":2,"a":9}"#)
        // Keys are matched on their decoded text.
        XCTAssertEqual(try edit(#"{"\u0061":1,"b":2}"#, removed: ["a"], append: []), #"{"b":2}"#)
        // A value that contains what looks like the removed key is untouched.
        XCTAssertEqual(try edit(#"{"s":"\"a\":1","a":{"a":1}}"#, removed: ["a"], append: []), #"{"s":"\"a\":1"}"#)
    }

    func testEditedFramedInput() throws {
        let layout = JSONEditLayout(removed: ["x"], append: [("y", 0)])
        let decoder = JSONRowDecoder(fields: paths("x"), captureTopLevel: true, droppedTopLevelKeys: layout.droppedKeys)
        var row = Row(slotCount: 1)
        let bytes = ConfluentFrame.header(schemaID: 9) + Array(#"{"x":41,"keep":"k"}"#.utf8)
        XCTAssertNil(decodeJSON(decoder, bytes, row: &row))
        XCTAssertEqual(row.cells[0], .int(41))
        let encoder = JSONRowEncoder()
        let out = try bytes.withUnsafeBytes { raw in
            text(try encoder.encodeEdited(original: raw, members: decoder.topLevelMembers, layout: layout, row: row))
        }
        XCTAssertEqual(out, #"{"keep":"k","y":41}"#)
    }

    func testEditedRefusesMembersOfOtherBytes() {
        let layout = JSONEditLayout(removed: [], append: [])
        let decoder = JSONRowDecoder(fields: [], captureTopLevel: true)
        var row = Row(slotCount: 0)
        XCTAssertNil(decodeJSON(decoder, #"{"a":1}"#, row: &row))
        let kind: EncodeError.Kind? = Array(#"{"a":12}"#.utf8).withUnsafeBytes { raw in
            do throws(EncodeError) {
                _ = try JSONRowEncoder().encodeEdited(original: raw, members: decoder.topLevelMembers, layout: layout, row: row)
                return nil
            } catch {
                return error.kind
            }
        }
        XCTAssertEqual(kind, .membersMismatch)
    }

    func testCapturedMemberSpans() {
        let decoder = JSONRowDecoder(fields: [], captureTopLevel: true, droppedTopLevelKeys: ["b"])
        var row = Row(slotCount: 0)
        let doc = #"{ "a" :  1 ,"b":{"c":[2]} , "d":"x" }"#
        XCTAssertNil(decodeJSON(decoder, doc, row: &row))
        let bytes = Array(doc.utf8)
        func slice(_ a: Int32, _ b: Int32) -> String { String(decoding: bytes[Int(a)..<Int(b)], as: UTF8.self) }
        let members = decoder.topLevelMembers
        XCTAssertEqual(members.count, 3)
        XCTAssertEqual(members.map { slice($0.keyStart, $0.keyEnd) }, [#""a""#, #""b""#, #""d""#])
        XCTAssertEqual(members.map { slice($0.valueStart, $0.valueEnd) }, ["1", #"{"c":[2]}"#, #""x""#])
        XCTAssertEqual(members.map(\.dropped), [false, true, false])
        XCTAssertEqual(members.inputCount, bytes.count)
    }
}
