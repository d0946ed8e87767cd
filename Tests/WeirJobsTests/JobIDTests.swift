import XCTest
@testable import WeirJobs

final class JobIDTests: XCTestCase {
    /// FNV-1a 128 against values computed independently (Python's integers).
    func testTheHashIsFNV1a128() {
        func hex(_ h: (hi: UInt64, lo: UInt64)) -> String { String(format: "%016lx%016lx", h.hi, h.lo) }
        XCTAssertEqual(hex(JobID.fnv1a128("".utf8)), "6c62272e07bb014262b821756295c58d", "the offset basis")
        XCTAssertEqual(hex(JobID.fnv1a128("a".utf8)), "d228cb696f1a8caf78912b704e4a8964")
        XCTAssertEqual(hex(JobID.fnv1a128("foobar".utf8)), "343e1662793c64bf6f0d3597ba446f18")
    }

    func testIdsAreFlinkShapedStableAndDistinct() {
        let id = JobID(name: "clicks-per-user")
        XCTAssertEqual(id.hex.count, 32)
        XCTAssertTrue(id.hex.allSatisfy { "0123456789abcdef".contains($0) })
        XCTAssertEqual(id, JobID(name: "clicks-per-user"), "every instance derives the same id")
        XCTAssertNotEqual(id, JobID(name: "clicks-per-user2"))
        XCTAssertEqual(JobID(parsing: id.hex), id)
        XCTAssertNil(JobID(parsing: "CLICKS"))
        XCTAssertNil(JobID(parsing: String(repeating: "g", count: 32)))
        XCTAssertNil(JobID(parsing: id.hex.uppercased()))
    }
}
