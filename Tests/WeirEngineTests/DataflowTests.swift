import XCTest
import WeirFormats
@testable import WeirEngine

final class DataflowTests: XCTestCase {
    func testTumblingEventTimeDataflow() throws {
        var results: [String] = []
        var late: [String] = []
        let job = try Dataflow.source(fields: ["user", "amount", "ts"])
            .assignTimestamps(field: "ts", format: .iso8601, watermark: .init(maxOutOfOrdernessMs: 1000, idleTimeoutMs: 5000))
            .keyBy("user")
            .window(.tumbling(sizeMs: 60_000), allowedLatenessMs: 0)
            .aggregate([.count(as: "n"), .sum("amount", as: "total"), .last("amount", as: "last")])
            .sink(clock: ManualClock(0), late: { late.append($0.description) }) { results.append($0.description) }
        XCTAssertEqual(job.op.outputLayout.map(\.name), ["user", "window_start", "window_end", "n", "total", "last"])
        try job.push(["user": .string("ann"), "amount": .double(1.10), "ts": .string("2026-11-25T10:00:05Z")])
        try job.push(["user": .string("ann"), "amount": .double(2.20), "ts": .string("2026-11-25T10:00:01Z")])
        try job.push(["user": .string("bob"), "amount": .int(5), "ts": .string("2026-11-25T10:00:59.500Z")])
        job.advance(nowMs: 1)
        XCTAssertEqual(results, [])
        try job.push(["user": .string("bob"), "amount": .int(1), "ts": .string("2026-11-25T10:01:01Z")])
        job.advance(nowMs: 2)    // watermark 10:01:00 >= window end - 1
        XCTAssertEqual(results.sorted(), [
            "user=ann window_start=1795600800000 window_end=1795600860000 n=2 total=3.3 last=1.1",
            "user=bob window_start=1795600800000 window_end=1795600860000 n=1 total=5 last=5"])
        try job.push(["user": .string("ann"), "amount": .double(9), "ts": .string("2026-11-25T10:00:30Z")])
        XCTAssertEqual(late, ["user=ann amount=9.0 ts=2026-11-25T10:00:30Z"])
        XCTAssertThrowsError(try job.push(["user": .string("ann"), "amount": .double(1), "ts": .string("yesterday")]))
        XCTAssertThrowsError(try job.push(["amount": .double(1), "ts": .string("2026-11-25T10:02:00Z")]))
        results = []
        job.finish()
        XCTAssertEqual(results, ["user=bob window_start=1795600860000 window_end=1795600920000 n=1 total=1 last=1"])
    }

    func testProcessingTimeDataflowAndCustomAggregator() throws {
        var results: [DataflowResult] = []
        let clock = ManualClock(1_000)
        let job = try Dataflow.source(fields: ["k", "v"])
            .processingTime()
            .keyBy("k")
            .window(.tumbling(sizeMs: 1_000))
            .aggregate([.custom(SpreadAggregator(slot: 1), as: "spread"), .countDistinct("v", as: "d")])
            .sink(clock: clock) { results.append($0) }
        try job.push(["k": .string("a"), "v": .int(3)])
        clock.now = 1_500
        try job.push(["k": .string("a"), "v": .int(10)])
        try job.push(["k": .string("a"), "v": .int(10)])
        job.advance(nowMs: 1_998)
        XCTAssertEqual(results.count, 0)
        job.advance(nowMs: 1_999)
        XCTAssertEqual(results.map(\.description), ["k=a window_start=1000 window_end=2000 spread=7 d=2"])
        XCTAssertEqual(results.first?.kind, .insert)
        XCTAssertEqual(results.first?["spread"], .int(7))
    }

    func testReduceDataflowAndUnknownFields() throws {
        var results: [String] = []
        let job = try Dataflow.source(fields: ["k", "v", "tag"])
            .assignKafkaTimestamps(watermark: .init(maxOutOfOrdernessMs: 0))
            .keyBy("k")
            .reduce([.sum("v", as: "s"), .collect("tag", maxSize: 2, as: "tags")])
            .sink { results.append($0.description) }
        try job.push(["k": .string("a"), "tag": .string("x\n")], kafkaTimestampMs: 5)
        XCTAssertThrowsError(try job.push(["k": .string("a"), "v": .string("1")], kafkaTimestampMs: 6), "not a number")
        XCTAssertThrowsError(try job.push(["k": .string("a"), "v": .int(1)], kafkaTimestampMs: nil), "no Kafka timestamp")
        try job.push(["k": .string("a"), "v": .int(2), "tag": .bool(true)], kafkaTimestampMs: 7)
        try job.push(["k": .string("a"), "v": .int(3), "tag": .int(4)], kafkaTimestampMs: 8)
        XCTAssertEqual(results, ["k=a s=null tags=[\"x\\n\"]", "k=a s=2 tags=[\"x\\n\",true]", "k=a s=5 tags=[\"x\\n\",true]"])
        XCTAssertThrowsError(try Dataflow.source(fields: ["k"]).keyBy("nope"))
        XCTAssertThrowsError(try Dataflow.source(fields: ["k"]).keyBy("k").reduce([.sum("nope", as: "s")]))
    }
}
