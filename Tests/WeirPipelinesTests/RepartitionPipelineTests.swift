import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// When keyBy goes through the repartition topic (source.kafka.keyedBy), and
/// the two jobs a repartitioned pipeline compiles to.
final class RepartitionPipelineTests: XCTestCase {
    func windowed(source: String, steps: String = "  - keyBy: [user_id]\n", late: Bool = true) -> String {
        """
        name: t
        source: {kafka: \(source)}
        time: {eventTime: {field: ts}, watermark: {maxOutOfOrderness: 1s}}
        steps:
        \(steps)  - window: {tumbling: 1m}
          - aggregate: {n: count()}
        sink: {kafka: {topic: out}}
        deadLetter: {topic: dlq}
        \(late ? "lateData: {topic: late}" : "")
        """
    }

    func testAnUnkeyedSourceRepartitionsThroughTwoJobs() throws {
        let p = try XCTUnwrap(load(windowed(source: "{topic: in, group: g}")))
        let stage = try XCTUnwrap(p.repartition)
        XCTAssertEqual(stage.topic, "t-window-repartition")
        // Stage 1: source -> stateless steps -> the repartition topic, keyed by the encoded key fields.
        let first = stage.job
        XCTAssertEqual(first.name, "t-window-repartition", "its own transactional ids and state topic")
        XCTAssertEqual(first.source.topics, ["in"])
        XCTAssertEqual(first.source.group, "g", "the source's lag stays under the pipeline's group")
        XCTAssertEqual(first.sink.kind, .kafka(topic: "t-window-repartition"))
        XCTAssertEqual(first.sink.format, .json)
        XCTAssertTrue(first.sink.keepsInputTimestamp)
        XCTAssertNil(first.stateful)
        XCTAssertEqual(first.deadLetterTopic, "dlq")
        let key = try XCTUnwrap(first.program.repartitionKey)
        XCTAssertEqual(key.names, ["user_id"])
        XCTAssertNotNil(key.timestamp, "the event time is checked before the shuffle")
        // Stage 2: the repartition topic -> keyBy/window/aggregate -> the pipeline's sink.
        XCTAssertEqual(p.job.name, "t")
        XCTAssertEqual(p.job.source.topics, ["t-window-repartition"])
        XCTAssertEqual(p.job.source.group, "g-repartition")
        XCTAssertEqual(p.job.source.startFrom, .earliest)
        XCTAssertEqual(p.job.source.format, .json)
        XCTAssertEqual(p.job.sink.topic, "out")
        XCTAssertEqual(p.job.stateful?.lateDataTopic, "late")
        XCTAssertNil(p.job.program.repartitionKey)
        XCTAssertEqual(p.jobs.map(\.name), ["t-window-repartition", "t"])
        // No warning; an info line at keyBy says what happens and how to avoid it.
        XCTAssertEqual(p.warnings, [])
        let note = try XCTUnwrap(p.notes.first)
        XCTAssertEqual(note.severity, .info)
        XCTAssertEqual(note.field, "steps[0].keyBy")
        XCTAssertTrue(note.message.contains("through the internal topic 't-window-repartition'"), note.message)
        XCTAssertTrue(note.message.contains("keyedBy: [user_id]"), note.message)
    }

    func testAKeyedSourceDoesNotRepartition() throws {
        let p = try XCTUnwrap(load(windowed(source: "{topic: in, keyedBy: [user_id]}")))
        XCTAssertNil(p.repartition)
        XCTAssertEqual(p.job.source.topics, ["in"])
        XCTAssertEqual(p.notes, [])
        let one = try XCTUnwrap(load(windowed(source: "{topic: in, keyedBy: user_id}")))
        XCTAssertNil(one.repartition, "a single field needs no list")
    }

    func testKeyedByMustBeReadUnchangedByKeyBy() throws {
        func repartitions(_ steps: String, keyedBy: String = "[user_id]", file: StaticString = #filePath, line: UInt = #line) -> Bool? {
            load(windowed(source: "{topic: in, keyedBy: \(keyedBy)}", steps: steps), file: file, line: line)?.repartition != nil
        }
        XCTAssertEqual(repartitions("  - keyBy: [country]\n"), true, "another key")
        XCTAssertEqual(repartitions("  - keyBy: [user_id, country]\n"), false, "a finer key is still co-located")
        XCTAssertEqual(repartitions("  - keyBy: [user_id, country]\n", keyedBy: "[user_id, country]"), false)
        XCTAssertEqual(repartitions("  - keyBy: [user_id]\n", keyedBy: "[user_id, country]"), true, "a coarser key is not")
        XCTAssertEqual(repartitions("  - keyBy: [\"lower(user_id) as user_id\"]\n"), true, "a computed key")
        XCTAssertEqual(repartitions("  - map: {user_id: \"lower(user_id)\"}\n  - keyBy: [user_id]\n"), true, "overwritten before keyBy")
        XCTAssertEqual(repartitions("  - rename: {user_id: uid}\n  - keyBy: [uid]\n"), false, "renamed, same values")
        XCTAssertEqual(repartitions("  - keyBy: [page.host]\n", keyedBy: "page.host"), false, "nested paths")
    }

    func testSeveralTopicsRepartition() throws {
        let p = try XCTUnwrap(load(windowed(source: "{topics: [a, b]}")))
        XCTAssertEqual(p.repartition?.job.source.topics, ["a", "b"])
        XCTAssertEqual(p.job.source.topics, ["t-window-repartition"])
        XCTAssertTrue(p.notes.first?.message.contains("several topics") ?? false, "\(p.notes)")
    }

    func testReduceTopicName() throws {
        let p = try XCTUnwrap(load("""
            name: totals
            source: {kafka: {topic: in}}
            steps:
              - filter: "amount > 0"
              - keyBy: [user_id, "lower(country) as country"]
              - reduce: {n: count()}
            sink: {kafka: {topic: out}}
            """))
        XCTAssertEqual(p.repartition?.topic, "totals-reduce-repartition")
        XCTAssertEqual(p.repartition?.job.program.repartitionKey?.names, ["user_id", "country"])
        XCTAssertNil(p.repartition?.job.program.repartitionKey?.timestamp, "no time: nothing to check")
        XCTAssertEqual(p.repartition?.job.sink.keepsInputTimestamp, true)
    }

    func testFileSourcesNeverRepartition() throws {
        let p = try XCTUnwrap(load("""
            name: f
            source: {file: {path: e.jsonl}}
            steps:
              - keyBy: [user_id]
              - reduce: {n: count()}
            sink: stdout
            """))
        XCTAssertNil(p.repartition)
    }

    func testATopicNamedLikeTheRepartitionTopicIsRefused() {
        assertRefused(windowed(source: "{topic: in}", late: false).replacingOccurrences(of: "topic: out", with: "topic: t-window-repartition"),
                      line: 8, column: 23, field: "sink.kafka.topic", "internal repartition topic")
    }

    func testBadKeyedBy() {
        assertRefused(windowed(source: "{topic: in, keyedBy: []}"), line: 2, column: 38,
                      field: "source.kafka.keyedBy", "at least one field")
        assertRefused(windowed(source: "{topic: in, keyedBy: [a, a]}"), line: 2, column: 42,
                      field: "source.kafka.keyedBy[1]", "listed twice")
        assertRefused(windowed(source: "{topic: in, keyedBy: {a: b}}"), line: 2, column: 38,
                      field: "source.kafka.keyedBy", "expected a field path or a list of field paths, found a mapping")
    }

    /// The first stage's chain, without a broker: equal keys (7 and 7.0 are one
    /// key, null is a key) get equal message bytes; a record without a key
    /// field or event time is dead-lettered before it leaves its partition.
    func testFirstStageKeysRecordsByTheEncodedKey() throws {
        let p = try XCTUnwrap(load(windowed(source: "{topic: in}", steps: "  - filter: \"v > 0\"\n  - keyBy: [user_id]\n")))
        let chain = try RecordChain(job: try XCTUnwrap(p.repartition?.job))
        final class Collect: ChainSink {
            var out: [(key: [UInt8]?, value: String)] = []
            var dead: [ProcessingError] = []
            func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
                out.append((key.map { Array($0) }, String(decoding: value, as: UTF8.self)))
            }
            func deadLetter(_ error: ProcessingError) throws { dead.append(error) }
            func late() throws {}
        }
        let sink = Collect()
        for json in [#"{"user_id":7,"v":1,"ts":1}"#, #"{"user_id":7.0,"v":2,"ts":2}"#, #"{"user_id":"7","v":3,"ts":3}"#,
                     #"{"user_id":null,"v":4,"ts":4}"#, #"{"v":5,"ts":5}"#, #"{"user_id":1,"v":6,"ts":"x"}"#,
                     #"{"user_id":1,"v":0,"ts":7}"#] {
            var text = json
            try text.withUTF8 { u in
                try chain.process(value: UnsafeRawBufferPointer(u), key: nil, kafkaTimestampMs: nil, partition: 0, nowMs: 0, sink: sink)
            }
        }
        XCTAssertEqual(sink.out.map(\.value), [#"{"user_id":7,"v":1,"ts":1}"#, #"{"user_id":7.0,"v":2,"ts":2}"#,
                                               #"{"user_id":"7","v":3,"ts":3}"#, #"{"user_id":null,"v":4,"ts":4}"#],
                       "the record is forwarded as it is")
        XCTAssertEqual(sink.out[0].key, sink.out[1].key, "7 and 7.0 are one key")
        XCTAssertNotEqual(sink.out[0].key, sink.out[2].key, "7 and \"7\" are not")
        XCTAssertEqual(sink.out[3].key?.isEmpty, false, "null is a key: it must not be spread at random")
        XCTAssertEqual(sink.dead.map(\.kind), [.expression, .timestamp])
        XCTAssertTrue(sink.dead[0].message.contains("user_id is missing"), sink.dead[0].message)
        XCTAssertEqual(chain.takeCounts().filtered, 1)
    }
}
