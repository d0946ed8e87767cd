import XCTest
@testable import WeirEngine

final class TransactionStateTests: XCTestCase {
    func testCommitCycle() throws {
        var s = TransactionState(intervalNanos: 1_000)
        XCTAssertEqual(s.phase, .idle)
        XCTAssertFalse(s.commitDue(now: 10_000))
        try s.begin(now: 100)
        XCTAssertTrue(s.isOpen)
        XCTAssertFalse(s.commitDue(now: 1_099))
        XCTAssertTrue(s.commitDue(now: 1_100))
        try s.commitStarted()
        XCTAssertEqual(s.phase, .committing)
        XCTAssertFalse(s.commitDue(now: 5_000), "a commit in flight is not due again")
        try s.committed()
        XCTAssertEqual(s.phase, .idle)
    }

    func testAbortFromOpenAndFromCommitting() throws {
        var s = TransactionState(intervalNanos: 1)
        try s.begin(now: 0)
        try s.aborted()
        XCTAssertEqual(s.phase, .idle)
        try s.begin(now: 0)
        try s.commitStarted()
        try s.aborted()
        XCTAssertEqual(s.phase, .idle)
    }

    func testIllegalTransitionsAreRefused() throws {
        var s = TransactionState(intervalNanos: 1)
        XCTAssertThrowsError(try s.commitStarted())
        XCTAssertThrowsError(try s.committed())
        XCTAssertThrowsError(try s.aborted())
        try s.begin(now: 0)
        XCTAssertThrowsError(try s.begin(now: 0), "no nested transactions")
        XCTAssertThrowsError(try s.committed(), "commit must start first")
        s.fail()
        XCTAssertEqual(s.phase, .failed)
        XCTAssertThrowsError(try s.begin(now: 0), "failed is terminal")
        XCTAssertThrowsError(try s.aborted())
    }
}
