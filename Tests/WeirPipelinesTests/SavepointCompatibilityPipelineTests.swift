import Foundation
import XCTest
@testable import WeirPipelines
import WeirEngine

/// Savepoint compatibility as a user meets it: pipeline files edited between
/// the savepoint and the restore. Key fields and aggregate inputs are matched
/// by what they compute, so steps added before `keyBy` (which move the slots
/// fields are read into) keep the state; the check `weir run --from-savepoint`
/// does before starting names the change it refuses.
final class SavepointCompatibilityPipelineTests: XCTestCase {
    final class Collect: ChainSink {
        var rows: [String] = []
        func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws { rows.append(String(decoding: value, as: UTF8.self)) }
        func deadLetter(_ error: ProcessingError) throws {}
        func late() throws {}
    }

    func shop(steps: String = "", window: String = "{tumbling: 1m}", aggregates: String = "{orders: count(), revenue: sum(amount)}",
              keyBy: String = "[user_id]", sink: String = "totals", deadLetter: String = "dlq", late: String = "late") -> String {
        """
        name: shop
        source: {kafka: {topic: events, keyedBy: [user_id]}}   # keyed by user_id: no repartition topic
        time:
          eventTime: {field: ts}
          watermark: {maxOutOfOrderness: 1m}
        steps:
        \(steps)  - keyBy: \(keyBy)
          - window: \(window)
          - aggregate: \(aggregates)
        sink: {kafka: {topic: \(sink)}}
        deadLetter: {topic: \(deadLetter)}
        lateData: {topic: \(late)}
        """
    }

    let edited = """
          - filter: "country == 'de' and amount > 0"
          - map: {amount: "amount * 1", note: "lower(country)"}

        """

    func feed(_ chain: RecordChain, _ json: String, _ sink: Collect) throws {
        var text = json
        try text.withUTF8 { u in
            try chain.process(value: UnsafeRawBufferPointer(u), key: nil, kafkaTimestampMs: nil, partition: 0, nowMs: 0, sink: sink)
        }
        try chain.advance(nowMs: 0, sink: sink)
    }

    /// A savepoint directory holding `chain`'s partition 0, as `weir savepoint` writes it.
    func savepoint(of chain: RecordChain) throws -> Savepoint {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-spcompat-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let op = try XCTUnwrap(chain.op)
        let collector = try SavepointCollector(directory: dir.path, job: "shop", slots: 1)
        let marker = CheckpointMarker(checkpointID: 1, topic: "events", partition: 0, nextOffset: 2, watermark: 0,
                                      maxEventTime: 2_000, chunkCount: 1)
        try collector.report(slot: 0, partitions: [(marker, op.snapshotChunks(partition: 0))])
        return try Savepoint.load(directory: dir.path)
    }

    func before() throws -> RecordChain {
        let a = try XCTUnwrap(load(shop()))
        let chain = try RecordChain(job: a.job)
        chain.addPartition(0, nowMs: 0)
        let sink = Collect()
        try feed(chain, #"{"user_id":"u1","country":"DE","amount":40,"ts":1000}"#, sink)
        try feed(chain, #"{"user_id":"u1","country":"de","amount":60,"ts":2000}"#, sink)
        XCTAssertEqual(sink.rows, [], "the window is open at the savepoint")
        return chain
    }

    func refusal(_ yaml: String) throws -> String? {
        let job = try XCTUnwrap(load(yaml)).job
        do {
            try SavepointRestore(try savepoint(of: try before())).checkCompatible(with: job)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The edit of the issue: filter and map before keyBy, a new aggregate,
    /// another sink, dead-letter and late topic, an input respaced.
    func testAFilterANewAggregateAndNewTopicsKeepTheSavepoint() throws {
        let yaml = shop(steps: edited, aggregates: "{orders: count(), biggest: max(amount), revenue: sum( amount )}",
                        sink: "totals-v2", deadLetter: "dlq-v2", late: "late-v2")
        let b = try XCTUnwrap(load(yaml))
        let sp = try savepoint(of: try before())
        XCTAssertNoThrow(try SavepointRestore(sp).checkCompatible(with: b.job))

        let chain = try RecordChain(job: b.job)
        let (_, chunks) = try XCTUnwrap(sp.state(topic: "events", partition: 0))
        try XCTUnwrap(chain.op).restore(partition: 0, chunks: chunks)
        chain.addPartition(0, nowMs: 0, restoredMaxEventTime: 2_000)
        let sink = Collect()
        try feed(chain, #"{"user_id":"u1","country":"de","amount":7,"ts":3000}"#, sink)
        try feed(chain, #"{"user_id":"u1","country":"fr","amount":1000,"ts":4000}"#, sink)   // filtered out
        try chain.flush(sink: sink)
        XCTAssertEqual(sink.rows, [#"{"user_id":"u1","window_start":0,"window_end":60000,"orders":3,"biggest":7,"revenue":107}"#])
    }

    func testIncompatibleEditsAreRefusedBeforeStartingWithTheFieldAndBothValues() throws {
        let cases: [(String, String)] = [
            (shop(aggregates: "{orders: count(), revenue: avg(amount)}"), "aggregate 'revenue' was sum(amount), is now avg(amount)"),
            (shop(aggregates: "{orders: count(), revenue: sum(amount * 100)}"), "aggregate 'revenue' was sum(amount), is now sum(amount * 100)"),
            (shop(keyBy: "[user_id, country]"), "key fields were [user_id], are now [user_id, country]"),
            (shop(keyBy: #"["lower(user_id) as user_id"]"#), "key field 'user_id' was user_id, is now lower(user_id)"),
            (shop(window: "{tumbling: 5m}"), "window size was 1m, is now 5m"),
            (shop(window: "{sliding: {size: 1m, slide: 30s}}"), "window type was tumbling, is now sliding"),
        ]
        for (yaml, expected) in cases {
            let message = try refusal(yaml)
            XCTAssertTrue(message?.contains(expected) == true, "\(message ?? "accepted"): should say \(expected)")
            XCTAssertTrue(message?.hasPrefix("the savepoint's state of events[0] cannot be restored into pipeline shop: ") == true, message ?? "")
        }
        XCTAssertNil(try refusal(shop(steps: edited, keyBy: #"["user_id as customer"]"#)), "a key renamed with 'as' keeps its state")
    }
}
