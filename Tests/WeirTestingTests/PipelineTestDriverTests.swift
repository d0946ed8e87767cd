import XCTest
@testable import WeirEngine
import WeirFormats
import WeirPipelines
@testable import WeirTesting

/// The Swift API: push records, move time, read what came out, through the
/// pipeline's compiled jobs and the engine's own record chain.
final class PipelineTestDriverTests: XCTestCase {
    func testPushRecordsAdvanceTheWatermarkReadTheRows() throws {
        let driver = try PipelineTestDriver(yaml: windowsPipeline())
        try driver.push(json: click("u1", 1_000, 2.5), key: "u1")
        try driver.push(json: click("u1", 30_000, 1))
        try driver.push(json: "{\"event\":\"view\",\"user_id\":\"u1\",\"ts\":40000}")
        XCTAssertEqual(driver.outputs, [], "the watermark (28 s) has not reached the window's end")
        try driver.advanceWatermark(to: 59_998)
        XCTAssertEqual(driver.outputs, [], "59998 < 59999, the window's last millisecond")
        try driver.advanceWatermark(to: 59_999)
        let rows = driver.takeOutputs()
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.keyText, "u1")
        XCTAssertEqual(rows.first?.json?.json, #"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":2,"amount":3.5}"#)
        XCTAssertEqual(driver.outputs, [], "taken")
        XCTAssertEqual(driver.counts.records, 3)
        XCTAssertEqual(driver.counts.filtered, 1)
        XCTAssertEqual(driver.counts.emitted, 1)
    }

    func testLateRecordsAndDeadLettersComeOutWithTheirHeaders() throws {
        let driver = try PipelineTestDriver(yaml: windowsPipeline())
        try driver.push(json: click("u1", 100_000))
        try driver.push(json: click("u1", 1_000), key: "k")          // its window was purged long ago
        try driver.push(json: "{\"event\":\"click\",\"ts\":5}")         // no key field
        try driver.push(value: Array("nope".utf8), headers: [.init(name: "trace", value: Array("t1".utf8))])
        let (dead, late) = driver.takeRejected()
        XCTAssertEqual(late.count, 1)
        XCTAssertEqual(late.first?.keyText, "k")
        XCTAssertEqual(late.first?.header("weir.source.offset"), "1")
        XCTAssertEqual(late.first?.header("weir.pipeline"), "w")
        XCTAssertEqual(dead.map(\.errorClass), [.expression, .decode])
        XCTAssertEqual(dead.last?.record.header("weir.error.class"), "decode")
        XCTAssertEqual(dead.last?.record.header("trace"), "t1", "the record's own headers are kept")
        XCTAssertEqual(dead.last?.record.headers.first?.name, "weir.error.class", "Weir's headers first, as KafkaTaskSink writes them")
    }

    /// A checkpoint and restore at any point of a run changes nothing that
    /// comes out, and really starts from a new operator each time.
    func testCheckpointAndRestoreAnywhereChangesNothing() throws {
        let pipeline = try PipelineLoader.load(yaml: windowsPipeline(lateness: "5s"), file: "w.yaml")
        final class Count { var made = 0 }
        let count = Count()
        var jobs = pipeline.jobs
        let make = try XCTUnwrap(jobs[0].stateful).makeOperator
        jobs[0].stateful?.makeOperator = { count.made += 1; return try make() }
        // Two partitions, three users, out of order, some late, some within the allowed lateness.
        let records: [(String, Int64, Int)] = [("u1", 1_000, 0), ("u2", 2_000, 1), ("u1", 59_000, 0), ("u3", 61_000, 1),
                                               ("u1", 64_000, 0), ("u2", 58_000, 1), ("u1", 30_000, 0), ("u2", 125_000, 1),
                                               ("u3", 119_000, 1), ("u1", 190_000, 0), ("u1", 10_000, 0), ("u2", 60_500, 1), ("u3", 250_000, 1)]
        func run(restoreAfter cut: Int?) throws -> ([String], [String], Int) {
            let driver = try PipelineTestDriver(jobs: jobs, options: .init(partitions: 2))
            let before = count.made
            for (i, r) in records.enumerated() {
                try driver.push(json: click(r.0, r.1), partition: r.2)
                if i == cut { try driver.checkpointAndRestore() }
            }
            try driver.advanceWatermark(to: 400_000)
            return (driver.outputs.compactMap(\.valueText), driver.lateRecords.compactMap(\.valueText), count.made - before)
        }
        let (straight, straightLate, made) = try run(restoreAfter: nil)
        XCTAssertEqual(made, 0, "the driver made its operator when it was built")
        XCTAssertGreaterThan(straight.count, 6)
        XCTAssertEqual(straightLate, [click("u1", 10_000)], "30 000 after 64 000 is within the allowed lateness; 10 000 after 190 000 is not")
        for cut in records.indices {
            let (rows, late, made) = try run(restoreAfter: cut)
            XCTAssertEqual(rows, straight, "restored after record \(cut)")
            XCTAssertEqual(late, straightLate, "restored after record \(cut)")
            XCTAssertEqual(made, 1, "the restored pipeline has its own operator")
        }
    }

    func testProcessingTimeWindowsFireOnTheVirtualClock() throws {
        let yaml = """
        name: pt
        source: {kafka: {topic: in, keyedBy: [user_id]}}
        time: {processingTime: true}
        steps:
          - keyBy: [user_id]
          - window: {tumbling: 10s}
          - aggregate: {n: count()}
        sink: {kafka: {topic: out}}
        """
        let started = ContinuousClock.now
        let driver = try PipelineTestDriver(yaml: yaml, options: .init(clockStartMs: 1_000_000))
        XCTAssertEqual(driver.timeDomain, .processingTime)
        try driver.push(json: #"{"user_id":"a"}"#)
        try driver.advanceClock(byMs: 5_000)
        try driver.push(json: #"{"user_id":"a"}"#)
        try driver.advanceClock(byMs: 4_998)
        XCTAssertEqual(driver.outputs, [], "1 009 998 < 1 009 999, the window's last millisecond")
        try driver.advanceClock(byMs: 1)
        XCTAssertEqual(driver.outputs.first?.valueText, #"{"user_id":"a","window_start":1000000,"window_end":1010000,"n":2}"#)
        try driver.advanceClock(byMs: 3_600_000)   // an hour, at once
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "nothing sleeps")
        XCTAssertThrowsError(try driver.advanceWatermark(to: 0)) { XCTAssertTrue("\($0)".contains("processing time")) }
    }

    /// A repartitioned pipeline runs both stages and gives what the same
    /// pipeline without the shuffle gives.
    func testARepartitionedPipelineRunsBothStages() throws {
        let shuffled = try PipelineTestDriver(yaml: windowsPipeline(keyedBy: false), options: .init(partitions: 3))
        let direct = try PipelineTestDriver(yaml: windowsPipeline(keyedBy: true), options: .init(partitions: 1))
        XCTAssertEqual(try PipelineLoader.load(yaml: windowsPipeline(keyedBy: false), file: "w.yaml").jobs.count, 2)
        let users = ["u1", "u2", "u3", "u4", "u5"]
        for i in 0..<60 {
            let r = click(users[i % 5], Int64(i) * 3_000, Double(i))
            try shuffled.push(json: r, partition: i % 3)
            try direct.push(json: r)
        }
        try shuffled.push(json: "{\"event\":\"click\",\"ts\":1}", partition: 2)
        for p in 0..<3 { try shuffled.advanceWatermark(to: 500_000, partition: p) }
        try direct.advanceWatermark(to: 500_000)
        let a = shuffled.outputs.compactMap(\.valueText).sorted(), b = direct.outputs.compactMap(\.valueText).sorted()
        XCTAssertEqual(a.count, 15, "5 users × 3 minutes")
        XCTAssertEqual(a, b)
        XCTAssertEqual(shuffled.deadLetters.map(\.stage), ["w-window-repartition"], "refused by the first stage")
        XCTAssertEqual(shuffled.deadLetters.first?.record.header("weir.source.topic"), "in")
    }

    /// Behind the shuffle the windows wait for every source partition, unless it is idle.
    func testBehindTheShuffleAQuietPartitionHoldsWindowsUntilIdle() throws {
        let driver = try PipelineTestDriver(yaml: windowsPipeline(keyedBy: false), options: .init(partitions: 2))
        try driver.push(json: click("u1", 1_000), partition: 0)
        try driver.advanceClock(byMs: 10_000)
        try driver.push(json: click("u1", 90_000), partition: 0)
        try driver.advanceClock(byMs: 19_999)
        XCTAssertEqual(driver.outputs, [], "partition 1 has sent nothing")
        try driver.advanceClock(byMs: 1)
        XCTAssertEqual(driver.outputs.count, 1, "partition 1 idle after 30 s without records (partition 0 had one 20 s ago)")
        try driver.advanceClock(byMs: 60_000)
        XCTAssertEqual(driver.outputs.count, 1, "every source partition idle: the watermark stays")
        try driver.push(json: click("u1", 200_000), partition: 0)
        XCTAssertEqual(driver.outputs.count, 2, "a record makes partition 0 active again, and its watermark fires [60000, 120000)")
    }

    func testStateThroughTheQueryableStateView() throws {
        let driver = try PipelineTestDriver(yaml: windowsPipeline())
        try driver.push(json: click("u1", 1_000, 2))
        try driver.push(json: click("u1", 61_000, 3))
        XCTAssertEqual(driver.stateKeyFields, ["user_id"])
        let entries = driver.queryState(key: ["u1"])
        XCTAssertEqual(entries.count, 2, "[0, 60000) not fired yet at watermark 59000, and [60000, 120000)")
        XCTAssertEqual(entries.map { CaseRunner.entryValue($0).json }.sorted(), [
            #"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":1,"amount":2.0}"#,
            #"{"user_id":"u1","window_start":60000,"window_end":120000,"clicks":1,"amount":3.0}"#,
        ])
        XCTAssertEqual(driver.queryState(key: ["u9"]), [])
    }

    func testABatchIsProcessedBeforeTimeAdvances() throws {
        // Within the allowed lateness: one batch fires the window once, with both records;
        // one record at a time fires it, then updates it.
        func rows(batched: Bool) throws -> [String] {
            let driver = try PipelineTestDriver(yaml: windowsPipeline(lateness: "10s"))
            let records = [click("u1", 1_000), click("u1", 70_000), click("u1", 2_000)]
            if batched {
                try driver.push(batch: records.map { TestRecord(topic: "", value: Array($0.utf8)) })
            } else {
                for r in records { try driver.push(json: r) }
            }
            return driver.outputs.compactMap(\.valueText)
        }
        XCTAssertEqual(try rows(batched: true), [#"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":2,"amount":2.0}"#])
        XCTAssertEqual(try rows(batched: false), [#"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":1,"amount":1.0}"#,
                                                 #"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":2,"amount":2.0}"#])
    }

    func testAvroInAndOutWithoutARegistryService() throws {
        let yaml = """
        name: a
        source: {kafka: {topic: in, keyedBy: [user_id]}, format: avro}
        time: {eventTime: {field: ts}}
        steps:
          - keyBy: [user_id]
          - window: {tumbling: 1m}
          - aggregate: {n: count()}
        sink: {kafka: {topic: out}, format: avro}
        schemaRegistry: {url: "http://127.0.0.1:9"}
        """
        let driver = try PipelineTestDriver(yaml: yaml)
        let schema = #"{"type":"record","name":"E","fields":[{"name":"user_id","type":"string"},{"name":"ts","type":"long"}]}"#
        try driver.push(value: driver.avro(.object(["user_id": .string("u1"), "ts": .int(5)]), schema: schema, subject: "in-value"))
        try driver.advanceWatermark(to: 60_000)
        let out = try XCTUnwrap(driver.outputs.first?.value)
        XCTAssertEqual(out.first, 0, "Confluent-framed")
        XCTAssertEqual(driver.avroJSON(out), #"{"user_id":"u1","window_start":0,"window_end":60000,"n":1}"#)
        XCTAssertEqual(driver.registry.subjects, ["in-value", "out-value"], "the derived output schema is registered in memory")
    }

    func testWhatThePipelineCannotTakeIsRefused() throws {
        let driver = try PipelineTestDriver(yaml: windowsPipeline(), options: .init(partitions: 2))
        XCTAssertThrowsError(try driver.push(json: click("u", 1), partition: 2)) { XCTAssertTrue("\($0)".contains("partition 2 does not exist")) }
        XCTAssertThrowsError(try driver.push(value: [1], topic: "other")) { XCTAssertTrue("\($0)".contains("not a source topic")) }
        XCTAssertThrowsError(try driver.markIdle(partition: -1))
        XCTAssertThrowsError(try driver.advanceClock(byMs: -1))
        XCTAssertThrowsError(try PipelineTestDriver(yaml: windowsPipeline(), options: .init(partitions: 0)))
        XCTAssertThrowsError(try PipelineTestDriver(yaml: windowsPipeline(keyedBy: false), options: .init(repartitionPartitions: 0)))
        let files = try PipelineTestDriver(yaml: """
            name: f
            source: {file: {path: in.jsonl}}
            sink: discard
            """)
        XCTAssertTrue(files.readsFiles)
        XCTAssertThrowsError(try files.checkpointAndRestore()) { XCTAssertTrue("\($0)".contains("does not checkpoint")) }
    }

    /// docs/testing.md's example, on the shipped pipeline.
    func testTheDocumentedExample() throws {
        let driver = try PipelineTestDriver(pipelineFile: repoRoot.appendingPathComponent("pipelines/clicks-per-user.yaml").path,
                                            options: .init(partitions: 2))
        try driver.push(json: #"{"event":"click","user_id":"u1","ts":1000,"amount":2.5}"#, key: "u1")
        try driver.push(json: #"{"event":"click","user_id":"u1","ts":70000,"amount":1}"#, key: "u1", partition: 0)
        let rows = driver.takeOutputs()
        XCTAssertEqual(rows.first?.valueText, #"{"user_id":"u1","window_start":0,"window_end":60000,"clicks":1,"amount":2.5,"min_amount":2.5,"max_amount":2.5}"#)
        XCTAssertEqual(rows.first?.keyText, "u1")
        try driver.advanceWatermark(to: 120_000, partition: 1)
        try driver.advanceClock(byMs: 30_000)
        try driver.checkpointAndRestore()
        XCTAssertEqual(driver.queryState(key: ["u1"]).count, 1)
        let (deadLetters, late) = driver.takeRejected()
        XCTAssertEqual(deadLetters.count + late.count, 0)
        XCTAssertThrowsError(try PipelineTestDriver(pipelineFile: "/nonexistent.yaml")) { XCTAssertTrue($0 is PipelineError) }
    }

    func testRepartitionRecordsGoWhereLibrdkafkaPutsThem() {
        XCTAssertEqual(ConsistentPartitioner.crc32(Array("123456789".utf8)), 0xCBF4_3926, "the CRC-32 check value")
        XCTAssertEqual(ConsistentPartitioner.partition(key: Array("123456789".utf8), count: 7), Int(0xCBF4_3926 % 7))
        XCTAssertEqual(ConsistentPartitioner.partition(key: nil, count: 4), 0)
    }
}
