import XCTest
import Foundation
import WeirFormats

/// Mutated documents (truncations, byte flips, insertions, deletions) must
/// either decode or throw, and must not disturb the next record.
final class JSONDecoderFuzzTests: XCTestCase {
    static let seeds = [
        #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#,
        #"{"user_id":"caf\u00e9 \ud83d\ude00","amount":-1e3,"page":{"url":"x","n":[1,2,{"k":null}]},"ts":9223372036854775807}"#,
        #"{ "page" : { "url" : "a\"b" } , "tags":[true,false], "amount": 0.5 }"#,
    ]
    static let interesting: [UInt8] = Array(#"{}[]":,\"0123456789-+.eEtrufalsn "#.utf8) + [0x00, 0x80, 0xC3, 0xE2, 0xF0, 0xFF, 0x0A]

    func testMutatedDocumentsNeverCrashAndDoNotLeakState() {
        let decoder = JSONRowDecoder(fields: paths("user_id", "amount", "ts", "page.url", "page"),
                                     captureTopLevel: true, droppedTopLevelKeys: ["ts"])
        var row = Row(slotCount: 5)
        var rng = SplitMix(state: 0x5EED)
        var accepted = 0, refused = 0
        let reference = Array(Self.seeds[0].utf8)
        for iteration in 0..<4000 {
            var bytes = Array(Self.seeds[iteration % Self.seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                case 2: bytes.insert(Self.interesting.randomElement(using: &rng) ?? 0, at: Int.random(in: 0...bytes.count, using: &rng))
                case 3 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
                default: bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                }
            }
            if let error = decodeJSON(decoder, bytes, row: &row) {
                refused += 1
                XCTAssertFalse(error.message.isEmpty)
                XCTAssertTrue(error.offset >= 0 && error.offset <= bytes.count, "offset \(error.offset) of \(bytes.count): \(error)")
                XCTAssertTrue(row.cells.allSatisfy { $0 == .missing })
                XCTAssertEqual(decoder.topLevelMembers.count, 0)
            } else {
                accepted += 1
                checkEditedOutput(bytes, decoder: decoder, row: row)
            }
            // A valid record right after must decode exactly as on a fresh decoder.
            XCTAssertNil(decodeJSON(decoder, reference, row: &row))
            XCTAssertEqual(row.described(0), "string(u123)")
            XCTAssertEqual(row.cells[1], .double(12.34))
            XCTAssertEqual(row.cells[2], .int(1764064800123))
            XCTAssertEqual(row.cells[3], .missing)
            XCTAssertEqual(decoder.topLevelMembers.map(\.dropped), [false, false, true])
        }
        XCTAssertGreaterThan(accepted, 50)
        XCTAssertGreaterThan(refused, 1000)
        XCTAssertGreaterThan(editedChecked, 20)
    }

    let encoder = JSONRowEncoder()
    let layout = JSONEditLayout(removed: ["ts"], append: [("amount_copy", 1)])
    var editedChecked = 0

    /// Whatever the decoder accepts, the edited output is JSON that Foundation
    /// reads whenever it reads the input, with the same members minus `ts`.
    func checkEditedOutput(_ bytes: [UInt8], decoder: JSONRowDecoder, row: Row) {
        guard let input = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return }
        let result: Result<[UInt8], EncodeError> = bytes.withUnsafeBytes { raw in
            do throws(EncodeError) {
                return .success(Array(try encoder.encodeEdited(original: raw, members: decoder.topLevelMembers, layout: layout, row: row)))
            } catch {
                return .failure(error)
            }
        }
        guard case .success(let out) = result else { return XCTFail("encodeEdited failed on accepted input: \(result)") }
        guard let output = (try? JSONSerialization.jsonObject(with: Data(out))) as? [String: Any] else {
            return XCTFail("edited output is not JSON: \(String(decoding: out, as: UTF8.self))")
        }
        var expected = Set(input.keys)
        expected.remove("ts")
        if case .missing = row.cells[1] {} else { expected.insert("amount_copy") }
        XCTAssertEqual(Set(output.keys), expected)
        editedChecked += 1
    }
}
