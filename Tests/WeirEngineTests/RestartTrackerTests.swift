import XCTest
@testable import WeirEngine

final class RestartTrackerTests: XCTestCase {
    func testNoneFailsAtOnce() {
        var t = RestartTracker(.none)
        XCTAssertNil(t.onFailure(nowMs: 0))
        XCTAssertTrue(t.failed)
    }

    func testFixedDelayCountsAttempts() {
        var t = RestartTracker(.fixedDelay(attempts: 3, delayMs: 10_000))
        XCTAssertEqual(t.onFailure(nowMs: 0), 10_000)
        XCTAssertEqual(t.onFailure(nowMs: 1), 10_000)
        XCTAssertEqual(t.onFailure(nowMs: 2), 10_000)
        XCTAssertEqual(t.attempts, 3)
        XCTAssertNil(t.onFailure(nowMs: 3), "the fourth failure fails the job")
        XCTAssertTrue(t.failed)
        XCTAssertNil(t.onFailure(nowMs: 4), "failed is terminal")
    }

    func testExponentialGrowsCapsAndResets() {
        var t = RestartTracker(.exponentialDelay(initialMs: 100, maxMs: 1_000, multiplier: 2, attempts: nil, resetAfterMs: 60_000))
        XCTAssertEqual([0, 1, 2, 3, 4, 5].map { t.onFailure(nowMs: Int64($0)) }, [100, 200, 400, 800, 1_000, 1_000])
        XCTAssertEqual(t.onFailure(nowMs: 70_000), 100, "a quiet minute resets the backoff")
    }

    func testExponentialWithAttemptLimit() {
        var t = RestartTracker(.exponentialDelay(initialMs: 10, maxMs: 100, multiplier: 3, attempts: 2, resetAfterMs: 1_000_000))
        XCTAssertEqual(t.onFailure(nowMs: 0), 10)
        XCTAssertEqual(t.onFailure(nowMs: 1), 30)
        XCTAssertNil(t.onFailure(nowMs: 2))
    }
}
