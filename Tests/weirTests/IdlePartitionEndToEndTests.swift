import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// Event-time windows through the Kafka task loop on the embedded broker, with
/// one of the two source partitions idle: after `idleTimeout` it stops holding
/// the watermark back, so windows fire while the job runs and a record older
/// than a fired window's cleanup time goes to the late-data topic. (Were the
/// idle partition holding the watermark, nothing would fire before the end
/// and nothing would be late.)
final class IdlePartitionEndToEndTests: XCTestCase {
    let yaml = """
        name: idle-windows
        source: {kafka: {topic: events}}
        time:
          eventTime: {field: ts}
          watermark: {maxOutOfOrderness: 1s, idleTimeout: 1s}
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
            var value = #"{"k":"a","ts":\#(r.ts),"v":\#(r.v)}"#
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

    func testAnIdlePartitionStopsHoldingTheWatermark() async throws {
        let spec = try PipelineLoader.load(yaml: yaml, file: "idle.yaml").job
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        try broker.createTopic("events", partitions: 2)
        try broker.createTopic("windows", partitions: 1)
        try broker.createTopic("late", partitions: 1)
        let bs = broker.bootstrapServers

        // 30 records, one per second of event time, all on partition 0; partition 1 stays empty.
        try produce((0..<30).map { (ts: $0 * 1000, v: $0) }, partition: 0, bootstrap: bs)
        let job = Job(spec: spec, runtime: RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bs), instanceID: "idle", checkpointIntervalMs: 200))
        let runner = Task { try await job.run() }
        try await waitProcessed(job, 30)
        XCTAssertEqual(job.metrics.emitted, 0, "partition 1 has sent nothing and is not idle yet: the watermark holds")

        // Once partition 1 has been idle for 1 s, the next record moves the watermark to 31 s - 1 s.
        try await Task.sleep(for: .milliseconds(1500))
        try produce([(ts: 31_000, v: 100)], partition: 0, bootstrap: bs)
        try await waitProcessed(job, 31)
        XCTAssertEqual(job.metrics.emitted, 3, "windows [0,10), [10,20) and [20,30) fired")

        // Older than the fired windows' cleanup time: late data.
        try produce([(ts: 5_000, v: 1000)], partition: 0, bootstrap: bs)
        try await waitProcessed(job, 32)
        XCTAssertEqual(job.metrics.late, 1)
        job.stop(flush: true)
        try await runner.value

        let rows = try readAll(topic: "windows", bootstrap: bs, atLeast: 4).map { String(decoding: $0.value, as: UTF8.self) }
        XCTAssertEqual(Set(rows), [
            #"{"k":"a","window_start":0,"window_end":10000,"n":10,"total":45}"#,
            #"{"k":"a","window_start":10000,"window_end":20000,"n":10,"total":145}"#,
            #"{"k":"a","window_start":20000,"window_end":30000,"n":10,"total":245}"#,
            #"{"k":"a","window_start":30000,"window_end":40000,"n":1,"total":100}"#,   // flushed at the end
        ])
        XCTAssertEqual(rows.count, 4)
        let late = try readAll(topic: "late", bootstrap: bs, atLeast: 1)
        XCTAssertEqual(late.map { String(decoding: $0.value, as: UTF8.self) }, [#"{"k":"a","ts":5000,"v":1000}"#])
        XCTAssertEqual(late.first?.headers["weir.source.partition"], "0")
    }
}
