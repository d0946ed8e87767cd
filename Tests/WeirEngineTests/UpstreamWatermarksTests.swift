import XCTest
import WeirFormats
@testable import WeirEngine

/// The watermarks a first stage announces through the repartition topic, and
/// what the second stage makes of them.
final class UpstreamWatermarksTests: XCTestCase {
    typealias Entry = WatermarkAnnouncement.Entry

    func decode(_ bytes: [UInt8]) -> WatermarkAnnouncement? {
        bytes.withUnsafeBytes { WatermarkAnnouncement(decoding: $0) }
    }

    func testAnnouncementRoundTripsAndRefusesAnythingElse() {
        let a = WatermarkAnnouncement(partitionCounts: [4, 2], entries: [
            Entry(topicIndex: 0, partition: 3, watermark: 1_700_000_000_123, idle: false),
            Entry(topicIndex: 1, partition: 1, watermark: .min, idle: true),
            Entry(topicIndex: 0, partition: 0, watermark: -5, idle: false),
        ])
        let bytes = a.encoded()
        XCTAssertEqual(bytes.count, 1 + 2 + 8 + 4 + 3 * 15)
        XCTAssertEqual(decode(bytes), a)
        // Every truncation, a trailing byte, another version, a partition or topic out of range.
        for n in 0..<bytes.count { XCTAssertNil(decode(Array(bytes[..<n])), "\(n) bytes") }
        XCTAssertNil(decode(bytes + [0]))
        var v2 = bytes; v2[0] = 2
        XCTAssertNil(decode(v2))
        let badPartition = WatermarkAnnouncement(partitionCounts: [2], entries: [Entry(topicIndex: 0, partition: 2, watermark: 0, idle: false)])
        XCTAssertNil(decode(badPartition.encoded()))
        let badTopic = WatermarkAnnouncement(partitionCounts: [2], entries: [Entry(topicIndex: 1, partition: 0, watermark: 0, idle: false)])
        XCTAssertNil(decode(badTopic.encoded()))
        XCTAssertNil(decode(Array("{\"user_id\":1}".utf8)))
    }

    func testMinimumOverSourcePartitionsOnceAllAreHeard() {
        var u = UpstreamWatermarks()
        XCTAssertNil(u.apply(WatermarkAnnouncement(partitionCounts: [3], entries: [
            Entry(topicIndex: 0, partition: 0, watermark: 500, idle: false),
            Entry(topicIndex: 0, partition: 1, watermark: 300, idle: false),
        ]), partition: 2), "source partition 2 not heard from: hold")
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [3], entries: [
            Entry(topicIndex: 0, partition: 2, watermark: 900, idle: false),
        ]), partition: 2), 300)
        XCTAssertNil(u.watermark(0), "each repartition partition keeps its own view")
        // Never backwards per source partition (a partition moved to a stage-1 task restored from an older checkpoint).
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [3], entries: [
            Entry(topicIndex: 0, partition: 1, watermark: 100, idle: false),
        ]), partition: 2), 300)
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [3], entries: [
            Entry(topicIndex: 0, partition: 1, watermark: 700, idle: false),
        ]), partition: 2), 500)
    }

    func testIdleSourcesDoNotHoldBackAndAllIdleKeepsTheWatermark() {
        var u = UpstreamWatermarks()
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [2], entries: [
            Entry(topicIndex: 0, partition: 0, watermark: .min, idle: true),
            Entry(topicIndex: 0, partition: 1, watermark: 800, idle: false),
        ]), partition: 0), 800, "an idle partition without records does not hold back")
        XCTAssertNil(u.apply(WatermarkAnnouncement(partitionCounts: [2], entries: [
            Entry(topicIndex: 0, partition: 1, watermark: 900, idle: true),
        ]), partition: 0), "all idle: no new watermark")
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [2], entries: [
            Entry(topicIndex: 0, partition: 0, watermark: 50, idle: false),
        ]), partition: 0), 50, "active again: it counts (the task's watermark itself never goes back)")
    }

    func testSeveralTopicsAndGrowingPartitionCounts() {
        var u = UpstreamWatermarks()
        XCTAssertNil(u.apply(WatermarkAnnouncement(partitionCounts: [1, 1], entries: [
            Entry(topicIndex: 0, partition: 0, watermark: 10, idle: false),
        ]), partition: 1), "topic 1 not heard from")
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [1, 1], entries: [
            Entry(topicIndex: 1, partition: 0, watermark: 20, idle: false),
        ]), partition: 1), 10)
        XCTAssertNil(u.apply(WatermarkAnnouncement(partitionCounts: [1, 2], entries: [
            Entry(topicIndex: 0, partition: 0, watermark: 30, idle: false),
        ]), partition: 1), "a partition added upstream holds back until heard from")
        XCTAssertEqual(u.apply(WatermarkAnnouncement(partitionCounts: [1, 1], entries: [
            Entry(topicIndex: 1, partition: 1 - 1, watermark: 40, idle: false),
        ]), partition: 1), nil, "an older, smaller count does not shrink the table")
        u.remove(partition: 1)
        XCTAssertNil(u.watermark(1))
    }

    func chain(upstream: Bool) throws -> RecordChain {
        let program = RecordProgram(inputFields: [FieldPath(["k"]), FieldPath(["ts"])], slotCount: 2, steps: [], output: .projected([]))
        let config = WindowOperatorConfig(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 100),
                                          aggregates: [.count(as: "n")], inputSlotCount: 2)
        var stage = JobSpec.StatefulStage(timestamp: TimestampExtractor(.field(slot: 1, format: .epochMillis)),
                                          watermark: WatermarkConfig(maxOutOfOrdernessMs: 0), keySlots: [0]) { try WindowOperator(config) }
        stage.watermarksFromUpstream = upstream
        return try RecordChain(job: JobSpec(name: "stage2", source: .init(topics: ["rp"], group: "g"), program: program,
                                            sink: .init(topic: "out"), parallelism: 1, stateful: stage))
    }

    func record(_ chain: RecordChain, _ sink: RecordingChainSink, ts: Int, partition: Int = 0) throws {
        let bytes = Array("{\"k\":\"a\",\"ts\":\(ts)}".utf8)
        try bytes.withUnsafeBytes { try chain.process(value: $0, key: nil, kafkaTimestampMs: nil, partition: partition, nowMs: 0, sink: sink) }
        try chain.advance(nowMs: 0, sink: sink)
    }

    /// Announces `marks` for source partitions 0, 1, … of a two-partition source.
    func announce(_ chain: RecordChain, _ sink: RecordingChainSink, _ marks: [Int64], partition: Int = 0) throws {
        let a = WatermarkAnnouncement(partitionCounts: [2], entries: marks.enumerated().map {
            Entry(topicIndex: 0, partition: Int32($0.offset), watermark: $0.element, idle: false)
        })
        XCTAssertTrue(a.encoded().withUnsafeBytes { chain.observeAnnouncement(partition: partition, bytes: $0, nowMs: 0) })
        try chain.advance(nowMs: 0, sink: sink)
    }

    /// Records from two source partitions, interleaved as a shuffle does: one
    /// far ahead of the other. Judged by the records' own times, the slow
    /// partition's records are late; judged by the announced watermarks
    /// (the minimum over source partitions), none is.
    func testSecondStageFollowsAnnouncementsNotRecords() throws {
        let own = try chain(upstream: false), sinkOwn = RecordingChainSink()
        let told = try chain(upstream: true), sinkTold = RecordingChainSink()
        for c in [own, told] { c.addPartition(0, nowMs: 0) }
        XCTAssertFalse(own.readsUpstreamWatermarks)
        XCTAssertTrue(told.readsUpstreamWatermarks)
        for (c, s) in [(own, sinkOwn), (told, sinkTold)] {
            try record(c, s, ts: 950)        // source partition 1, ahead
            try record(c, s, ts: 10)         // source partition 0
        }
        XCTAssertEqual(sinkOwn.lateCount, 1, "by its records' times the partition is at 950")
        XCTAssertEqual(sinkTold.lateCount, 0)
        XCTAssertEqual(told.watermarks.watermark, .min, "nothing announced yet: held")
        try announce(told, sinkTold, [50])
        XCTAssertEqual(told.watermarks.watermark, .min, "one of two source partitions heard: still held")
        try announce(told, sinkTold, [120, 950])
        XCTAssertEqual(told.watermarks.watermark, 120)
        XCTAssertEqual(sinkTold.emitted.count, 1, "window [0,100) fired on the announced watermark")
        XCTAssertTrue(sinkTold.emitted[0].contains("\"n\":1"), sinkTold.emitted[0])
        XCTAssertFalse([0, 0, 0].withUnsafeBytes { told.observeAnnouncement(partition: 0, bytes: $0, nowMs: 0) }, "not an announcement")
    }

    /// Issue 9 behind the shuffle: repartition partition 1 moves from task B (early in
    /// it) to task A, which has read partition 0 far ahead. A restores partition 1's
    /// state and announced time from B's checkpoint and judges its records by that
    /// time, not by partition 0's: nothing is late and the window holds every record.
    func testAHandedOverRepartitionPartitionKeepsItsAnnouncedTime() throws {
        let a = try chain(upstream: true), sinkA = RecordingChainSink()
        let b = try chain(upstream: true), sinkB = RecordingChainSink()
        a.addPartition(0, nowMs: 0)
        b.addPartition(1, nowMs: 0)
        try record(b, sinkB, ts: 10, partition: 1)
        try announce(b, sinkB, [50, 60], partition: 1)
        try record(b, sinkB, ts: 55, partition: 1)
        let chunks = try XCTUnwrap(b.op).snapshotChunks(partition: 1)
        let announced = b.watermarks.maxEventTime(1)
        XCTAssertEqual(announced, 50)

        try record(a, sinkA, ts: 20, partition: 0)
        try announce(a, sinkA, [500, 600], partition: 0)
        XCTAssertEqual(sinkA.emitted.count, 1, "partition 0's window fired at 500")

        try XCTUnwrap(a.op).restore(partition: 1, chunks: chunks)
        a.addPartition(1, nowMs: 0, restoredMaxEventTime: announced)
        try record(a, sinkA, ts: 70, partition: 1)
        XCTAssertEqual(sinkA.lateCount, 0, "judged by partition 1's announced 50, not partition 0's 500")
        try announce(a, sinkA, [150, 150], partition: 1)
        XCTAssertEqual(sinkA.emitted.count, 2)
        XCTAssertTrue(sinkA.emitted[1].contains("\"n\":3"), sinkA.emitted[1])
    }

    /// A first stage tracks its source partitions' watermarks (no operator)
    /// and says when one goes idle, so the task opens a transaction to announce it.
    func testFirstStageTracksSourcePartitions() throws {
        let program = RecordProgram(inputFields: [FieldPath(["k"]), FieldPath(["ts"])], slotCount: 2, steps: [], output: .original)
        var p = program
        p.repartitionKey = RepartitionKey(names: ["k"], slots: [0], timestamp: TimestampExtractor(.field(slot: 1, format: .epochMillis)))
        var job = JobSpec(name: "stage1", source: .init(topics: ["in"], group: "g"), program: p, sink: .init(topic: "rp"), parallelism: 1)
        job.watermarkAnnouncements = WatermarkConfig(maxOutOfOrdernessMs: 20, idleTimeoutMs: 1000)
        let chain = try RecordChain(job: job)
        XCTAssertTrue(chain.announcesWatermarks)
        let sink = RecordingChainSink()
        chain.addPartition(0, nowMs: 0)
        chain.addPartition(1, nowMs: 0)
        for (ts, partition) in [(100, 0), (300, 1), (90, 0)] {
            let bytes = Array("{\"k\":\"a\",\"ts\":\(ts)}".utf8)
            try bytes.withUnsafeBytes { try chain.process(value: $0, key: nil, kafkaTimestampMs: nil, partition: partition, nowMs: 500, sink: sink) }
        }
        try chain.advance(nowMs: 500, sink: sink)
        XCTAssertEqual(sink.emitted.count, 3, "the records go on to the repartition topic")
        XCTAssertEqual(chain.watermarks.partitionWatermark(0)?.watermark, 80)
        XCTAssertEqual(chain.watermarks.partitionWatermark(1)?.watermark, 280)
        XCTAssertFalse(chain.hasDueTimers(nowMs: 1000))
        XCTAssertTrue(chain.hasDueTimers(nowMs: 1500), "idle after 1 s without records: to be announced")
        try chain.advance(nowMs: 1500, sink: sink)
        XCTAssertEqual(chain.watermarks.partitionWatermark(0)?.idle, true)
        XCTAssertFalse(chain.hasDueTimers(nowMs: 1600))
    }
}
