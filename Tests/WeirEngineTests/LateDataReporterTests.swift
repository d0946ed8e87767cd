import XCTest
@testable import WeirEngine

/// When a task warns about late data: at once for the first late records
/// after a quiet time, then at most once per interval, and not for a trickle
/// below the fraction.
final class LateDataReporterTests: XCTestCase {
    let s = LateDataReporter.Sample(partition: 3, eventTimeMs: 1_000, watermarkMs: 90_000)
    let second: UInt64 = 1_000_000_000

    func testFirstLateRecordsWarnAtOnceThenOncePerInterval() {
        var r = LateDataReporter(intervalNanos: 10 * second, minFraction: 0.001)
        XCTAssertNil(r.observe(records: 500, late: 0, sample: nil, nowNanos: 0))
        XCTAssertEqual(r.observe(records: 500, late: 40, sample: s, nowNanos: 1 * second),
                       .init(late: 40, records: 500, sample: s))
        XCTAssertNil(r.observe(records: 500, late: 40, sample: s, nowNanos: 5 * second), "within the interval: quiet")
        let later = LateDataReporter.Sample(partition: 4, eventTimeMs: 2_000, watermarkMs: 91_000)
        XCTAssertNil(r.observe(records: 500, late: 10, sample: later, nowNanos: 9 * second))
        XCTAssertEqual(r.observe(records: 500, late: 0, sample: nil, nowNanos: 11 * second),
                       .init(late: 50, records: 1_500, sample: s), "the period's count, its first sample")
        XCTAssertTrue(r.isInPeriod)
        XCTAssertNil(r.observe(records: 500, late: 0, sample: nil, nowNanos: 22 * second), "a period without late data")
        XCTAssertFalse(r.isInPeriod, "quiet again")
        XCTAssertEqual(r.observe(records: 10, late: 1, sample: later, nowNanos: 23 * second)?.sample, later, "warns at once again")
    }

    func testATrickleBelowTheFractionStaysQuiet() {
        var r = LateDataReporter(intervalNanos: 10 * second, minFraction: 0.01)
        XCTAssertNil(r.observe(records: 1_000, late: 1, sample: s, nowNanos: 0), "0.1% < 1%")
        XCTAssertNil(r.observe(records: 1_000, late: 2, sample: s, nowNanos: 5 * second))
        XCTAssertNil(r.observe(records: 1_000, late: 0, sample: nil, nowNanos: 11 * second), "3 of 3,000")
        XCTAssertNil(r.observe(records: 100, late: 5, sample: s, nowNanos: 12 * second), "within the interval")
        XCTAssertEqual(r.observe(records: 100, late: 0, sample: nil, nowNanos: 22 * second)?.late, 5, "5 of 200 at the end of its period")
    }
}
