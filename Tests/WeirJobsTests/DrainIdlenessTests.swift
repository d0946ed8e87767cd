import XCTest
import WeirJobs

final class DrainIdlenessTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    private func task(assigned: UInt64 = 1, restoring: Bool = false, restored: UInt64 = 0, rebalancing: Bool = false) -> DrainIdleness.TaskSample {
        .init(assignedNanos: assigned, restoring: restoring, restoredNanos: restored, rebalancing: rebalancing)
    }

    func testEndsAfterTheIdleLimitWithoutRecords() {
        var d = DrainIdleness(idleMs: 1000)
        XCTAssertFalse(d.observe(now: 100 * ms, processed: 5, tasks: [task()]))
        XCTAssertFalse(d.observe(now: 1099 * ms, processed: 5, tasks: [task()]))
        XCTAssertTrue(d.observe(now: 1100 * ms, processed: 5, tasks: [task()]))
    }

    func testRecordsRestartTheIdleTime() {
        var d = DrainIdleness(idleMs: 1000)
        _ = d.observe(now: 0, processed: 1, tasks: [task()])
        XCTAssertFalse(d.observe(now: 900 * ms, processed: 2, tasks: [task()]))
        XCTAssertFalse(d.observe(now: 1800 * ms, processed: 2, tasks: [task()]))
        XCTAssertTrue(d.observe(now: 1900 * ms, processed: 2, tasks: [task()]))
    }

    func testNothingCountsBeforeTheFirstAssignment() {
        var d = DrainIdleness(idleMs: 1000)
        XCTAssertFalse(d.observe(now: 0, processed: 0, tasks: [task(assigned: 0)]))
        XCTAssertFalse(d.observe(now: 5000 * ms, processed: 0, tasks: [task(assigned: 0)]))
        // Assigned at 5 s, seen at 5.5 s: idle time counts from the first sample after the assignment.
        XCTAssertFalse(d.observe(now: 5500 * ms, processed: 0, tasks: [task(assigned: 5000 * ms)]))
        XCTAssertFalse(d.observe(now: 6000 * ms, processed: 0, tasks: [task(assigned: 5000 * ms)]))
        XCTAssertTrue(d.observe(now: 6500 * ms, processed: 0, tasks: [task(assigned: 5000 * ms)]))
    }

    func testRestoringAndTheLatestRestoreHoldTheDrainBack() {
        var d = DrainIdleness(idleMs: 1000)
        _ = d.observe(now: 0, processed: 3, tasks: [task()])
        XCTAssertFalse(d.observe(now: 2000 * ms, processed: 3, tasks: [task(restoring: true)]))
        // The restore ended at 2.5 s: idle from there.
        XCTAssertFalse(d.observe(now: 3000 * ms, processed: 3, tasks: [task(restored: 2500 * ms)]))
        XCTAssertTrue(d.observe(now: 3500 * ms, processed: 3, tasks: [task(restored: 2500 * ms)]))
    }

    /// The race instances.sh found: a task whose partitions were revoked holds
    /// nothing; if it ended then, what the rebalance hands back would never fire.
    func testARevokedTaskIsNotIdleUntilItsNextAssignment() {
        var d = DrainIdleness(idleMs: 1000)
        _ = d.observe(now: 0, processed: 7, tasks: [task(), task()])
        XCTAssertFalse(d.observe(now: 800 * ms, processed: 7, tasks: [task(), task(rebalancing: true)]))
        XCTAssertFalse(d.observe(now: 5000 * ms, processed: 7, tasks: [task(), task(rebalancing: true)]))
        XCTAssertFalse(d.rebalanceCapped)
        // Assigned again (and restored) at 5.2 s: a full idle limit from there.
        let back = task(restored: 5200 * ms)
        XCTAssertFalse(d.observe(now: 5300 * ms, processed: 7, tasks: [task(), back]))
        XCTAssertFalse(d.observe(now: 6100 * ms, processed: 7, tasks: [task(), back]))
        XCTAssertTrue(d.observe(now: 6300 * ms, processed: 7, tasks: [task(), back]))
    }

    func testARebalanceLongerThanTheCapStopsHoldingTheDrainBack() {
        var d = DrainIdleness(idleMs: 1000, rebalanceCapMs: 10_000)
        _ = d.observe(now: 0, processed: 1, tasks: [task(rebalancing: true)])
        XCTAssertFalse(d.observe(now: 9000 * ms, processed: 1, tasks: [task(rebalancing: true)]))
        XCTAssertFalse(d.observe(now: 10_000 * ms, processed: 1, tasks: [task(rebalancing: true)]))
        XCTAssertTrue(d.rebalanceCapped)
        XCTAssertTrue(d.observe(now: 11_000 * ms, processed: 1, tasks: [task(rebalancing: true)]))
    }
}
