import XCTest
import WeirFormats

final class JSONRowDecoderProjectionTests: XCTestCase {
    func testFlatProjection() throws {
        let d = JSONRowDecoder(fields: paths("user_id", "amount", "ts"))
        var row = Row(slotCount: 3)
        XCTAssertNil(decodeJSON(d, #"{"user_id":"u123","amount":12.34,"ts":1764064800123}"#, row: &row))
        XCTAssertEqual(row.described(0), "string(u123)")
        XCTAssertEqual(row.cells[1], .double(12.34))
        XCTAssertEqual(row.cells[2], .int(1764064800123))
    }
}
