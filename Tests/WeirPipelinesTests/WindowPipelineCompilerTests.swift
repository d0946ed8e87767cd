import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// What keyBy/window/aggregate/reduce and `time:` compile to, and records run
/// through the compiled job's `RecordChain` (the per-record path every runner uses).
final class WindowPipelineCompilerTests: XCTestCase {
    /// Collects what a chain produces.
    final class Collect: ChainSink {
        var rows: [String] = []
        var keys: [String?] = []
        var dead: [ProcessingError] = []
        var lateCount = 0
        func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
            rows.append(String(decoding: value, as: UTF8.self))
            keys.append(key.map { String(decoding: $0, as: UTF8.self) })
        }
        func deadLetter(_ error: ProcessingError) throws { dead.append(error) }
        func late() throws { lateCount += 1 }
    }

    func chain(_ yaml: String, clock: any OperatorClock = SystemClock(), file: StaticString = #filePath, line: UInt = #line) throws -> RecordChain? {
        guard let p = load(yaml, file: file, line: line) else { return nil }
        return try RecordChain(job: p.job, clock: clock)
    }

    func feed(_ chain: RecordChain, _ json: String, partition: Int = 0, kafkaTimestampMs: Int64? = nil, _ sink: Collect) throws {
        var text = json
        try text.withUTF8 { u in
            try chain.process(value: UnsafeRawBufferPointer(u), key: nil, kafkaTimestampMs: kafkaTimestampMs,
                              partition: partition, nowMs: 0, sink: sink)
        }
        try chain.advance(nowMs: 0, sink: sink)
    }

    func testClicksPerUserCompilesToAWindowStage() throws {
        let p = try PipelineLoader.load(path: repositoryRoot().appendingPathComponent("pipelines/clicks-per-user.yaml").path)
        let job = p.job
        XCTAssertEqual(job.source.topics, ["input-topic"])
        XCTAssertEqual(job.sink.topic, "output-topic")
        XCTAssertEqual(job.deadLetterTopic, "clicks-dlq")
        XCTAssertEqual(Set(job.topics), ["input-topic", "output-topic", "clicks-dlq", "clicks-late"])
        let stage = try XCTUnwrap(job.stateful)
        XCTAssertEqual(stage.lateDataTopic, "clicks-late")
        XCTAssertEqual(stage.watermark, WatermarkConfig(maxOutOfOrdernessMs: 2000, idleTimeoutMs: 30_000))
        XCTAssertEqual(stage.keySlots, [0])
        let inputs = job.program.inputFields.map(\.description)
        XCTAssertEqual(Set(inputs), ["event", "user_id", "amount", "ts"])
        XCTAssertEqual(stage.timestamp, TimestampExtractor(.field(slot: try XCTUnwrap(inputs.firstIndex(of: "ts")), format: .epochMillis)))
        guard case .original = job.program.output else { return XCTFail("a stateful job only decodes; its rows come from the operator") }
        let op = try XCTUnwrap(try stage.makeOperator() as? WindowOperator)
        XCTAssertEqual(op.config.window, .tumbling(sizeMs: 60_000))
        XCTAssertEqual(op.config.timeDomain, .eventTime)
        XCTAssertEqual(op.config.allowedLatenessMs, 0)
        XCTAssertEqual(op.outputLayout.map(\.name), ["user_id", "window_start", "window_end", "clicks", "amount", "min_amount", "max_amount"])
        XCTAssertEqual(p.warnings.count, 0)
        XCTAssertNil(p.repartition, "the source is keyedBy user_id: no repartition topic")
        XCTAssertEqual(p.notes.count, 0)
    }

    func testWindowsFireOnTheWatermarkAndFlushAtTheEnd() throws {
        guard let c = try chain("""
            name: t
            source: {file: {path: e.jsonl}}
            sink: stdout
            time: {eventTime: {field: ts}, watermark: {maxOutOfOrderness: 2s}}
            steps:
              - filter: "event == 'click'"
              - keyBy: [user_id]
              - window: {tumbling: 1m}
              - aggregate: {n: count(), total: sum(amount), top: max(amount)}
            """) else { return }
        let s = Collect()
        try feed(c, #"{"event":"click","user_id":"a","amount":1.10,"ts":60000}"#, s)
        try feed(c, #"{"event":"view","user_id":"a","amount":100,"ts":61000}"#, s)
        try feed(c, #"{"event":"click","user_id":"a","amount":2.20,"ts":119999}"#, s)
        try feed(c, #"{"event":"click","user_id":"b","amount":5,"ts":121000}"#, s)
        XCTAssertEqual(s.rows, [], "the watermark (121000 - 2000) has not passed 119999")
        try feed(c, #"{"event":"click","user_id":"b","amount":5,"ts":122000}"#, s)
        XCTAssertEqual(s.rows, [#"{"user_id":"a","window_start":60000,"window_end":120000,"n":2,"total":3.3,"top":2.2}"#])
        XCTAssertEqual(s.keys, ["a"], "the message key is the key field")
        try c.flush(sink: s)
        XCTAssertEqual(s.rows.last, #"{"user_id":"b","window_start":120000,"window_end":180000,"n":2,"total":10,"top":5}"#)
        let counts = c.takeCounts()
        XCTAssertEqual(counts.records, 5)
        XCTAssertEqual(counts.filtered, 1)
        XCTAssertEqual(counts.emitted, 2)
    }

    func testExpressionKeysAndInputsGetComputedSlots() throws {
        guard let p = load("""
            name: t
            source: {file: {path: e.jsonl}}
            sink: stdout
            time: {eventTime: {field: meta.at, format: iso8601}}
            steps:
              - keyBy: ["lower(page.host) as host", user_id, "amount > 10"]
              - window: {sliding: {size: 10m, slide: 5m}, allowedLateness: 1m}
              - aggregate: {cents: "sum(round(amount * 100))", n: count(page), users: count_distinct(user_id), pages: "collect(page.path, 2)"}
            """) else { return }
        let stage = try XCTUnwrap(p.job.stateful)
        let op = try XCTUnwrap(try stage.makeOperator() as? WindowOperator)
        XCTAssertEqual(op.config.keyFields.map(\.name), ["host", "user_id", "key"])
        XCTAssertEqual(op.config.window, .sliding(sizeMs: 600_000, slideMs: 300_000))
        XCTAssertEqual(op.config.allowedLatenessMs, 60_000)
        let inputs = p.job.program.inputFields.map(\.description)
        XCTAssertGreaterThanOrEqual(op.config.keyFields[0].slot, inputs.count, "lower(page.host) is computed")
        XCTAssertEqual(op.config.keyFields[1].slot, inputs.firstIndex(of: "user_id"), "a plain field is read in place")
        XCTAssertGreaterThanOrEqual(op.config.aggregates[0].input ?? -1, inputs.count, "round(amount * 100) is computed")
        XCTAssertEqual(p.job.program.steps.count, 3, "host, amount > 10, round(amount * 100)")

        let c = try RecordChain(job: p.job)
        let s = Collect()
        try feed(c, #"{"user_id":"u1","amount":12.5,"page":{"host":"A.example","path":"/x"},"meta":{"at":"2026-11-25T10:00:01Z"}}"#, s)
        try feed(c, #"{"user_id":"u1","amount":20,"page":{"host":"a.EXAMPLE","path":"/y"},"meta":{"at":"2026-11-25T10:03:00.5Z"}}"#, s)
        try feed(c, #"{"user_id":"u1","amount":20,"page":{"host":"a.example","path":"/z"},"meta":{"at":"2026-11-25T10:04:00Z"}}"#, s)
        try c.flush(sink: s)
        XCTAssertEqual(s.rows.count, 2, "one key, two sliding windows: \(s.rows)")
        XCTAssertEqual(s.rows.first, #"{"host":"a.example","user_id":"u1","key":true,"window_start":1795600500000,"window_end":1795601100000,"cents":5250,"n":3,"users":1,"pages":["/x","/y"]}"#)
        XCTAssertEqual(s.keys.first, "a.example|u1|true")
    }

    func testReduceEmitsARunningAggregatePerRecord() throws {
        guard let c = try chain("""
            name: t
            source: {file: {path: e.jsonl}}
            sink: {file: {path: "-"}}
            steps:
              - keyBy: user_id
              - reduce: {n: count(), first_page: first(page), last_page: last(page), mean: avg(amount)}
            """) else { return }
        let s = Collect()
        try feed(c, #"{"user_id":"a","page":"p1","amount":1}"#, s)
        try feed(c, #"{"user_id":"a","page":"p2","amount":2}"#, s)
        try feed(c, #"{"user_id":"b","page":"p3"}"#, s)
        XCTAssertEqual(s.rows, [
            #"{"user_id":"a","n":1,"first_page":"p1","last_page":"p1","mean":1.0}"#,
            #"{"user_id":"a","n":2,"first_page":"p1","last_page":"p2","mean":1.5}"#,
            #"{"user_id":"b","n":1,"first_page":"p3","last_page":"p3","mean":null}"#,
        ])
    }

    /// Processing time comes from the operator's clock, also when the task
    /// loop's own `nowMs` (monotonic, for idle detection) says otherwise.
    func testProcessingTimeWindowsFireByTheClock() throws {
        let clock = ManualClock(1_795_600_800_000)
        guard let c = try chain("""
            name: t
            source: {kafka: {topic: in}}
            sink: {kafka: {topic: out}}
            time: {processingTime: true}
            steps:
              - keyBy: [user_id]
              - window: {tumbling: 10s}
              - aggregate: {n: count()}
            """, clock: clock) else { return }
        let s = Collect()
        try feed(c, #"{"user_id":"a"}"#, s)
        clock.now += 5_000
        try feed(c, #"{"user_id":"a"}"#, s)
        XCTAssertEqual(s.rows, [])
        clock.now += 5_000
        try c.advance(nowMs: 0, sink: s)
        XCTAssertEqual(s.rows, [#"{"user_id":"a","window_start":1795600800000,"window_end":1795600810000,"n":2}"#])
    }

    func testKafkaTimestampAndRecordsWithoutTime() throws {
        guard let p = load("""
            name: t
            source: {kafka: {topic: in}}
            sink: {kafka: {topic: out}}
            time: {eventTime: {kafkaTimestamp: true}}
            steps:
              - keyBy: [k]
              - window: {session: 30s}
              - aggregate: {n: count()}
            lateData: {topic: late}
            """) else { return }
        XCTAssertEqual(p.job.stateful?.timestamp, TimestampExtractor(.kafkaTimestamp))
        XCTAssertEqual(p.job.stateful?.lateDataTopic, "late")
        let c = try RecordChain(job: p.job)
        let s = Collect()
        try feed(c, #"{"k":1}"#, kafkaTimestampMs: nil, s)
        XCTAssertEqual(s.dead.map(\.kind), [.timestamp])
        try feed(c, #"{"k":1}"#, kafkaTimestampMs: 1000, s)
        try feed(c, #"{"k":1}"#, kafkaTimestampMs: 31_000, s)
        try c.flush(sink: s)
        XCTAssertEqual(s.rows, [#"{"k":1,"window_start":1000,"window_end":61000,"n":2}"#], "touching sessions merge")
    }

    func testTimeFormatsAndDurations() throws {
        for (format, expected) in [("epochMillis", TimestampFormat.epochMillis), ("epochSeconds", .epochSeconds), ("iso8601", .iso8601)] {
            guard let p = load("""
                name: t
                source: {file: {path: e.jsonl}}
                sink: discard
                time: {eventTime: {field: t, format: \(format)}, watermark: {maxOutOfOrderness: 1m30s, idleTimeout: 1d}}
                steps:
                  - keyBy: [k]
                  - window: {tumbling: {size: 1h, offset: 500ms}}
                  - aggregate: {n: count()}
                """) else { continue }
            XCTAssertEqual(p.job.stateful?.timestamp, TimestampExtractor(.field(slot: 1, format: expected)))
            XCTAssertEqual(p.job.stateful?.watermark, WatermarkConfig(maxOutOfOrdernessMs: 90_000, idleTimeoutMs: 86_400_000))
            XCTAssertEqual((try p.job.stateful?.makeOperator() as? WindowOperator)?.config.window, .tumbling(sizeMs: 3_600_000, offsetMs: 500))
            XCTAssertEqual(p.job.sink.kind, .discard)
        }
        XCTAssertEqual(try Durations.parse("500ms").get(), 500)
        XCTAssertEqual(try Durations.parse("2s").get(), 2000)
        XCTAssertEqual(try Durations.parse("1h1m1s1ms").get(), 3_661_001)
        XCTAssertEqual(try Durations.parse("0").get(), 0)
        XCTAssertThrowsError(try Durations.parse("99999999999999999999d").get())
        XCTAssertThrowsError(try Durations.parse("1.5s").get())
    }

    func testFileSourcesAndSinks() throws {
        guard let p = load("name: t\nsource: {file: {paths: [a.jsonl, b.jsonl]}}\nsink: {file: {path: out.jsonl}}\ndeadLetter: {file: dead.jsonl}\nparallelism: 4\n") else { return }
        XCTAssertEqual(p.job.source.files, ["a.jsonl", "b.jsonl"])
        XCTAssertEqual(p.job.source.topics, [])
        XCTAssertTrue(p.job.readsFiles)
        XCTAssertEqual(p.job.sink.kind, .file("out.jsonl"))
        XCTAssertEqual(p.job.deadLetter, .file("dead.jsonl"))
        XCTAssertNil(p.job.deadLetterTopic)
        XCTAssertEqual(p.job.parallelism, 1, "one task reads the files")
        XCTAssertEqual(p.warnings.map(\.field), ["parallelism"])
        XCTAssertEqual(load("name: t\nsource: {file: {path: \"-\"}}\nsink: {file: {path: \"-\"}}\n")?.job.sink.kind, .stdout)
        XCTAssertEqual(load("name: t\nsource: {file: {path: a}}\nsink: {stdout: {}}\n")?.job.sink.kind, .stdout)
    }
}
