import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// Event-time windows through the Kafka task loop on the embedded broker,
/// with one of the two source partitions silent. Each partition's windows fire
/// by its own watermark (docs/windows.md, "Event time per partition"): the
/// silent partition holds nothing back (no idle timeout is needed), and a
/// record is late only against its own partition's watermark.
final class PartitionEventTimeEndToEndTests: XCTestCase {
    let yaml = """
        name: idle-windows
        source: {kafka: {topic: events, keyedBy: [k]}}   # no repartition: the test places records on partitions
        time:
          eventTime: {field: ts}
          watermark: {maxOutOfOrderness: 1s}   # no idleTimeout: a silent partition holds nothing back
        steps:
          - keyBy: [k]
          - window: {tumbling: 10s}
          - aggregate: {n: count(), total: sum(v)}
        sink: {kafka: {topic: windows}}
        lateData: {topic: late}
        parallelism: 1
        """

    func produce(_ records: [(ts: Int, v: Int)], partition: Int32, bootstrap: String) throws {
        let producer = try KafkaProducer(config: KafkaConfig(bootstrapServers: bootstrap))
        let handle = try producer.topic("events")
        for r in records {
            var value = #"{"k":"\#(partition == 0 ? "a" : "b")","ts":\#(r.ts),"v":\#(r.v)}"#
            try value.withUTF8 { try producer.produce(handle, partition: partition, key: nil, value: UnsafeRawBufferPointer($0)) }
        }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.deliveryStats.failed, 0)
    }

    func waitProcessed(_ job: Job, _ n: Int) async throws {
        let deadline = Date().addingTimeInterval(60)
        while job.metrics.processed < n && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(job.metrics.processed, n)
    }

    /// `events` with two partitions (one stays idle), `windows` and `late`.
    func idleBroker() throws -> EmbeddedBroker {
        let broker = try EmbeddedBroker(brokers: 1)
        try broker.createTopic("events", partitions: 2)
        try broker.createTopic("windows", partitions: 1)
        try broker.createTopic("late", partitions: 1)
        return broker
    }

    func testASilentPartitionHoldsNothingBack() async throws {
        let spec = try PipelineLoader.load(yaml: yaml, file: "idle.yaml").job
        let broker = try idleBroker()
        defer { broker.close() }
        let bs = broker.bootstrapServers

        // 30 records, one per second of event time, all on partition 0; partition 1 stays silent.
        try produce((0..<30).map { (ts: $0 * 1000, v: $0) }, partition: 0, bootstrap: bs)
        let job = Job(spec: spec, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bs), instanceID: "idle", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        try await waitProcessed(job, 30)
        try await waitEmitted(job, 2, within: 10)
        XCTAssertEqual(job.metrics.emitted, 2, "partition 0's watermark 29 s - 1 s fires [0,10) and [10,20); silent partition 1 holds nothing back")
        let fired = try readAll(topic: "windows", bootstrap: bs, atLeast: 2).map { String(decoding: $0.value, as: UTF8.self) }
        XCTAssertEqual(fired, [
            #"{"k":"a","window_start":0,"window_end":10000,"n":10,"total":45}"#,
            #"{"k":"a","window_start":10000,"window_end":20000,"n":10,"total":145}"#,
        ], "committed while the job runs, so a read_committed reader sees them")

        try produce([(ts: 31_000, v: 100)], partition: 0, bootstrap: bs)
        try await waitProcessed(job, 31)
        try await waitEmitted(job, 3, within: 10)
        XCTAssertEqual(job.metrics.emitted, 3, "[20,30) fired by partition 0's next record")

        // Older than partition 0's fired windows: late. The same time on partition 1,
        // whose own watermark has not moved, is on time.
        try produce([(ts: 5_000, v: 1000)], partition: 0, bootstrap: bs)
        try produce([(ts: 5_000, v: 7)], partition: 1, bootstrap: bs)
        try await waitProcessed(job, 33)
        XCTAssertEqual(job.metrics.late, 1)
        job.stop(flush: true)
        try await runner.value

        let rows = try readAll(topic: "windows", bootstrap: bs, atLeast: 5).map { String(decoding: $0.value, as: UTF8.self) }
        XCTAssertEqual(Set(rows), [
            #"{"k":"a","window_start":0,"window_end":10000,"n":10,"total":45}"#,
            #"{"k":"a","window_start":10000,"window_end":20000,"n":10,"total":145}"#,
            #"{"k":"a","window_start":20000,"window_end":30000,"n":10,"total":245}"#,
            #"{"k":"a","window_start":30000,"window_end":40000,"n":1,"total":100}"#,   // flushed at the end
            #"{"k":"b","window_start":0,"window_end":10000,"n":1,"total":7}"#,          // flushed at the end
        ])
        XCTAssertEqual(rows.count, 5)
        let late = try readAll(topic: "late", bootstrap: bs, atLeast: 1)
        XCTAssertEqual(late.map { String(decoding: $0.value, as: UTF8.self) }, [#"{"k":"a","ts":5000,"v":1000}"#])
        XCTAssertEqual(late.first?.headers["weir.source.partition"], "0")
    }

    func waitEmitted(_ job: Job, _ n: Int, within seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while job.metrics.emitted < n && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Processing-time windows fire when their time has come, records or not.
    func testProcessingTimeWindowsFireWithoutANewRecord() async throws {
        let spec = try PipelineLoader.load(yaml: """
            name: pt-windows
            source: {kafka: {topic: events, keyedBy: [k]}}
            time: {processingTime: true}
            steps:
              - keyBy: [k]
              - window: {tumbling: 1s}
              - aggregate: {n: count(), total: sum(v)}
            sink: {kafka: {topic: windows}}
            parallelism: 1
            """, file: "pt.yaml").job
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("events", partitions: 1)
        try broker.createTopic("windows", partitions: 1)
        let bs = broker.bootstrapServers
        let job = Job(spec: spec, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bs), instanceID: "pt", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        let deadline = Date().addingTimeInterval(30)
        while job.slotMetrics[0].assignedNanos.load(ordering: .relaxed) == 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try produce((0..<10).map { (ts: $0, v: $0) }, partition: 0, bootstrap: bs)
        try await waitProcessed(job, 10)
        try await waitEmitted(job, 1, within: 5)
        XCTAssertGreaterThanOrEqual(job.metrics.emitted, 1, "the 1 s window(s) holding the 10 records fired without a further record")
        let rows = try readAll(topic: "windows", bootstrap: bs, atLeast: 1)
        let counts = rows.compactMap { try? JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any] }
        XCTAssertEqual(counts.reduce(0) { $0 + (($1["n"] as? Int) ?? 0) }, 10, "every record counted once: \(counts)")
        XCTAssertEqual(counts.reduce(0) { $0 + (($1["total"] as? Int) ?? 0) }, 45)
        job.stop()
        try await runner.value
    }
}
