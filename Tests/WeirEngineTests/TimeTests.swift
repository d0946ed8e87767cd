import XCTest
import Foundation
import WeirFormats
@testable import WeirEngine

final class RFC3339Tests: XCTestCase {
    func parse(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { RFC3339.parseMillis($0) } }

    func testKnownValues() {
        XCTAssertEqual(parse("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(parse("2026-11-25T10:00:00Z"), 1_795_600_800_000)
        XCTAssertEqual(parse("2026-11-25T10:00:00.123Z"), 1_795_600_800_123)
        XCTAssertEqual(parse("2026-11-25t10:00:00.1z"), 1_795_600_800_100)
        XCTAssertEqual(parse("2026-11-25 10:00:00.12Z"), 1_795_600_800_120)
        XCTAssertEqual(parse("2026-11-25T10:00:00.123456789Z"), 1_795_600_800_123, "truncated, not rounded")
        XCTAssertEqual(parse("2026-11-25T10:00:00.999999Z"), 1_795_600_800_999)
        XCTAssertEqual(parse("2026-11-25T12:30:00+02:30"), 1_795_600_800_000)
        XCTAssertEqual(parse("2026-11-25T05:00:00-05:00"), 1_795_600_800_000)
        XCTAssertEqual(parse("2026-11-25T05:00:00-0500"), 1_795_600_800_000)
        XCTAssertEqual(parse("2026-11-25T10:00:00"), 1_795_600_800_000, "no offset = UTC")
        XCTAssertEqual(parse("1969-12-31T23:59:59.999Z"), -1)
        XCTAssertEqual(parse("2024-02-29T00:00:00Z"), 1_709_164_800_000)
        XCTAssertEqual(parse("2000-02-29T00:00:00Z"), 951_782_400_000)
        XCTAssertEqual(parse("2016-12-31T23:59:60Z"), 1_483_228_800_000, "leap second = next second")
        XCTAssertEqual(parse("0001-01-01T00:00:00Z"), -62_135_596_800_000)
        XCTAssertEqual(parse("9999-12-31T23:59:59.999Z"), 253_402_300_799_999)
    }

    func testRejects() {
        for s in ["", "2026-11-25", "2026-11-25T10:00", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                  "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z",
                  "2026-11-25T10:60:00Z", "2026-11-25T10:00:61Z", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00ZZ",
                  "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+02:60", "2026-11-25T10:00:00+2", "2026/11/25T10:00:00Z",
                  "2026-11-25X10:00:00Z", "2026-11-25T10:00:00 Z", "+2026-11-25T10:00:00Z", "2026-1-25T10:00:00Z"] {
            XCTAssertNil(parse(s), s)
        }
    }

    /// Cross-check against Foundation's formatter on random instants and offsets.
    func testRandomAgainstFoundation() {
        var rng = SystemRandomNumberGenerator()
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"
        for _ in 0..<2000 {
            let ms = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &rng)
            let offsetMin = Int.random(in: -14 * 60...14 * 60, using: &rng)
            f.timeZone = TimeZone(secondsFromGMT: offsetMin * 60)
            let s = f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
            XCTAssertEqual(parse(s), ms, s)
        }
    }
}

final class TimestampExtractorTests: XCTestCase {
    func testFormats() throws {
        let row = makeRow([Int64(1_700_000_000_123), 1_700_000_000.1234, "2023-11-14T22:13:20.5Z", 1_700_000_000, 1.7e12, "x", nil, Cell.null, true])
        XCTAssertEqual(try TimestampExtractor(.field(slot: 0, format: .epochMillis)).extract(row, kafkaTimestampMs: nil), 1_700_000_000_123)
        XCTAssertEqual(try TimestampExtractor(.field(slot: 1, format: .epochSeconds)).extract(row, kafkaTimestampMs: nil), 1_700_000_000_123)
        XCTAssertEqual(try TimestampExtractor(.field(slot: 3, format: .epochSeconds)).extract(row, kafkaTimestampMs: nil), 1_700_000_000_000)
        XCTAssertEqual(try TimestampExtractor(.field(slot: 4, format: .epochMillis)).extract(row, kafkaTimestampMs: nil), 1_700_000_000_000)
        XCTAssertEqual(try TimestampExtractor(.field(slot: 2, format: .iso8601)).extract(row, kafkaTimestampMs: nil), 1_700_000_000_500)
        XCTAssertEqual(try TimestampExtractor(.kafkaTimestamp).extract(row, kafkaTimestampMs: 42), 42)
        for (slot, format) in [(5, TimestampFormat.iso8601), (6, .epochMillis), (7, .epochMillis), (8, .epochMillis),
                               (2, .epochMillis), (0, .iso8601), (99, .epochMillis)] {
            XCTAssertThrowsError(try TimestampExtractor(.field(slot: slot, format: format)).extract(row, kafkaTimestampMs: nil), "\(slot)")
        }
        XCTAssertThrowsError(try TimestampExtractor(.kafkaTimestamp).extract(row, kafkaTimestampMs: nil))
        XCTAssertThrowsError(try TimestampExtractor(.kafkaTimestamp).extract(row, kafkaTimestampMs: -1))
        let huge = makeRow([Int64.max, 1e300])
        XCTAssertThrowsError(try TimestampExtractor(.field(slot: 0, format: .epochMillis)).extract(huge, kafkaTimestampMs: nil))
        XCTAssertThrowsError(try TimestampExtractor(.field(slot: 0, format: .epochSeconds)).extract(huge, kafkaTimestampMs: nil))
        XCTAssertThrowsError(try TimestampExtractor(.field(slot: 1, format: .epochSeconds)).extract(huge, kafkaTimestampMs: nil))
    }
}

final class WatermarkTrackerTests: XCTestCase {
    func testMaxMinusOutOfOrderness() {
        var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 100))
        XCTAssertEqual(t.advance(nowMs: 0), .min)
        t.observe(partition: 0, eventTimeMs: 1000, nowMs: 0)
        t.observe(partition: 0, eventTimeMs: 900, nowMs: 0)
        XCTAssertEqual(t.advance(nowMs: 0), 900)
        t.observe(partition: 0, eventTimeMs: 1500, nowMs: 0)
        XCTAssertEqual(t.advance(nowMs: 0), 1400)
    }

    func testMinimumOverPartitionsAndNewPartitionHoldsBack() {
        var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 0))
        t.addPartition(0, nowMs: 0)
        t.addPartition(1, nowMs: 0)
        t.observe(partition: 0, eventTimeMs: 1000, nowMs: 0)
        XCTAssertEqual(t.advance(nowMs: 1), .min, "partition 1 has no record yet")
        t.observe(partition: 1, eventTimeMs: 500, nowMs: 1)
        XCTAssertEqual(t.advance(nowMs: 1), 500)
        t.observe(partition: 1, eventTimeMs: 2000, nowMs: 2)
        XCTAssertEqual(t.advance(nowMs: 2), 1000)
        t.addPartition(2, nowMs: 3)   // rebalance: a new partition
        XCTAssertEqual(t.advance(nowMs: 3), 1000, "never backwards")
        t.observe(partition: 2, eventTimeMs: 1200, nowMs: 4)
        t.observe(partition: 0, eventTimeMs: 3000, nowMs: 4)
        XCTAssertEqual(t.advance(nowMs: 4), 1200)
        t.removePartition(2)
        XCTAssertEqual(t.advance(nowMs: 5), 2000)
        XCTAssertEqual(t.partitions, [0, 1])
    }

    func testIdlePartitionsStopHoldingBackAndReactivate() {
        var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 10, idleTimeoutMs: 1000))
        t.observe(partition: 0, eventTimeMs: 100, nowMs: 0)
        t.observe(partition: 1, eventTimeMs: 5000, nowMs: 0)
        XCTAssertEqual(t.advance(nowMs: 500), 90)
        t.observe(partition: 1, eventTimeMs: 6000, nowMs: 900)
        XCTAssertEqual(t.advance(nowMs: 999), 90)
        XCTAssertFalse(t.isIdle(0))
        XCTAssertEqual(t.advance(nowMs: 1000), 5990, "partition 0 idle after 1000 ms without records")
        XCTAssertTrue(t.isIdle(0))
        XCTAssertFalse(t.isIdle(1))
        t.observe(partition: 0, eventTimeMs: 7000, nowMs: 1100)   // active again
        XCTAssertFalse(t.isIdle(0))
        t.observe(partition: 1, eventTimeMs: 8000, nowMs: 1100)
        XCTAssertEqual(t.advance(nowMs: 1100), 6990)
        // both idle: the watermark stays
        XCTAssertEqual(t.advance(nowMs: 5000), 6990)
        XCTAssertTrue(t.isIdle(0) && t.isIdle(1))
        // a reactivated partition behind the watermark does not pull it back
        t.observe(partition: 0, eventTimeMs: 10, nowMs: 5001)
        XCTAssertEqual(t.advance(nowMs: 5001), 6990)
        t.observe(partition: 0, eventTimeMs: 9000, nowMs: 5002)
        XCTAssertEqual(t.advance(nowMs: 5002), 8990)
    }

    /// Partition 1 never sends a record; partition 0's records come right after
    /// the assignment. Both time out before the next poll: partition 1 first,
    /// and partition 0's watermark must be reached on the way (it used to stay
    /// at Int64.min: both went idle at once). Equal timeouts stay simultaneous.
    func testTimeoutsWithinOnePollGoIdleInOrder() {
        var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 1000, idleTimeoutMs: 1000))
        t.addPartition(0, nowMs: 0)
        t.addPartition(1, nowMs: 0)
        t.observe(partition: 0, eventTimeMs: 29_000, nowMs: 20)
        XCTAssertEqual(t.advance(nowMs: 20), .min, "partition 1 holds the watermark back")
        XCTAssertEqual(t.peek(nowMs: 1500), 28_000, "peek says what advance will do")
        XCTAssertEqual(t.advance(nowMs: 1500), 28_000, "partition 1 timed out at 1000, partition 0 only at 1020")
        XCTAssertTrue(t.isIdle(0) && t.isIdle(1))

        var same = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 0, idleTimeoutMs: 1000))
        same.addPartition(0, nowMs: 0)
        same.addPartition(1, nowMs: 0)
        same.observe(partition: 0, eventTimeMs: 500, nowMs: 0)
        XCTAssertEqual(same.advance(nowMs: 5000), .min, "timeouts at the same millisecond are simultaneous: no partition was active alone")

        /// Partition i's last record (event time `times[i]`) at 10·(i+1) ms; all time out by 1000.
        func timedOut(_ times: [Int64]) -> (before: Int64, after: Int64) {
            var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 0, idleTimeoutMs: 100))
            for (i, e) in times.enumerated() { t.observe(partition: i, eventTimeMs: e, nowMs: Int64(10 * (i + 1))) }
            return (t.advance(nowMs: 30), t.advance(nowMs: 1000))
        }
        // 0 times out first (1 and 2 left: 100), then 1 (2 left: 100), then 2: never above 100
        XCTAssertTrue(timedOut([300, 200, 100]) == (100, 100))
        // 0 first (200), then 1 (300): the last partition active alone sets it
        XCTAssertTrue(timedOut([100, 200, 300]) == (100, 300))
    }

    func testNewPartitionIdleTimeoutCountsFromAssignment() {
        var t = WatermarkTracker(config: .init(maxOutOfOrdernessMs: 0, idleTimeoutMs: 100))
        t.observe(partition: 0, eventTimeMs: 50, nowMs: 0)
        t.addPartition(3, nowMs: 0)
        XCTAssertEqual(t.advance(nowMs: 99), .min)
        t.observe(partition: 0, eventTimeMs: 60, nowMs: 99)
        XCTAssertEqual(t.advance(nowMs: 100), 60)
        XCTAssertEqual(t.maxEventTime(0), 60)
        XCTAssertNil(t.maxEventTime(3))
    }
}

final class WindowAssignerTests: XCTestCase {
    func testTumblingStart() {
        XCTAssertEqual(TumblingWindows.start(of: 0, size: 60_000, offset: 0), 0)
        XCTAssertEqual(TumblingWindows.start(of: 59_999, size: 60_000, offset: 0), 0)
        XCTAssertEqual(TumblingWindows.start(of: 60_000, size: 60_000, offset: 0), 60_000)
        XCTAssertEqual(TumblingWindows.start(of: -1, size: 60_000, offset: 0), -60_000)
        XCTAssertEqual(TumblingWindows.start(of: 1000, size: 3600_000, offset: 900_000), -2_700_000)
        XCTAssertEqual(TumblingWindows.start(of: 950_000, size: 3600_000, offset: 900_000), 900_000)
        XCTAssertEqual(TumblingWindows.start(of: 5, size: 10, offset: -3), -3)
        XCTAssertEqual(TumblingWindows.start(of: 7, size: 10, offset: -3), 7)
    }

    func testSlidingWindows() {
        let w = SlidingWindows.windows(of: 12, size: 10, slide: 5, offset: 0)
        XCTAssertEqual(w.map(\.start), [10, 5])
        XCTAssertEqual(w.map(\.end), [20, 15])
        XCTAssertEqual(SlidingWindows.windows(of: 10, size: 10, slide: 5, offset: 0).map(\.start), [10, 5])
        XCTAssertEqual(SlidingWindows.windows(of: 9, size: 10, slide: 3, offset: 0).map(\.start), [9, 6, 3, 0])
        XCTAssertEqual(SlidingWindows.windows(of: 9, size: 10, slide: 3, offset: 1).map(\.start), [7, 4, 1])
        XCTAssertEqual(SlidingWindows.windows(of: -1, size: 10, slide: 5, offset: 0).map(\.start), [-5, -10])
    }

    func testSessionIntersection() {
        XCTAssertTrue(SessionWindows.intersects(0, 10, 10, 20), "touching windows merge, as in Flink")
        XCTAssertTrue(SessionWindows.intersects(0, 10, 5, 6))
        XCTAssertFalse(SessionWindows.intersects(0, 10, 11, 20))
        XCTAssertFalse(SessionWindows.intersects(11, 20, 0, 10))
    }

    func testConfigValidation() {
        func bad(_ w: WindowSpec, lateness: Int64 = 0) -> Bool {
            (try? WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: w, allowedLatenessMs: lateness,
                                       aggregates: [.count(as: "n")]))) == nil
        }
        XCTAssertTrue(bad(.tumbling(sizeMs: 0)))
        XCTAssertTrue(bad(.tumbling(sizeMs: 10, offsetMs: 10)))
        XCTAssertTrue(bad(.sliding(sizeMs: 10, slideMs: 0)))
        XCTAssertTrue(bad(.sliding(sizeMs: 10, slideMs: 11)))
        XCTAssertTrue(bad(.session(gapMs: 0)))
        XCTAssertTrue(bad(.tumbling(sizeMs: 10), lateness: -1))
        XCTAssertTrue(bad(.tumbling(sizeMs: Int64.max)))
        XCTAssertFalse(bad(.sliding(sizeMs: 10, slideMs: 3, offsetMs: 2)))
        XCTAssertNil(try? WindowOperator(.init(keyFields: [.init(name: "n", slot: 0)], window: .tumbling(sizeMs: 1),
                                               aggregates: [.count(as: "n")])), "duplicate output name")
        XCTAssertNil(try? WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 1),
                                               aggregates: [.sum(5, as: "s")], inputSlotCount: 3)), "slot out of range")
    }
}
