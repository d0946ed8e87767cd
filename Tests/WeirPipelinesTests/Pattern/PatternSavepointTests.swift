import Foundation
import XCTest
@testable import WeirPipelines
import WeirEngine

/// A pattern step's state through a savepoint as `weir savepoint` writes it and
/// `weir run --from-savepoint` reads it (`SavepointCollector` → directory →
/// `Savepoint.load` → `SavepointRestore.checkCompatible`, then the partition's
/// chunks restored into a new chain): partial matches carry over, and an edited
/// pattern is refused before anything starts, naming what changed.
final class PatternSavepointTests: XCTestCase {
    final class Collect: ChainSink {
        var rows: [String] = []
        func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws { rows.append(String(decoding: value, as: UTF8.self)) }
        func deadLetter(_ error: ProcessingError) throws {}
        func late() throws {}
    }

    func logins(fail: String = "timesOrMore: 3", failWhere: String = "not ok", successContiguity: String = "next", within: String = "5m",
                failName: String = "fail", keyBy: String = "[user]", afterMatch: String = "skipPastLastEvent",
                measures: String = "{failures: count(fail), first_failure: match_start(), success_at: match_end()}",
                sink: String = "alerts") -> String {
        """
        name: logins
        source: {kafka: {topic: events, keyedBy: [user]}}
        time:
          eventTime: {field: ts, format: epochMillis}
          watermark: {maxOutOfOrderness: 0s}
        steps:
          - keyBy: \(keyBy)
          - pattern:
              stages:
                - {name: \(failName), where: "\(failWhere)", \(fail), consecutive: true}
                - {name: success, contiguity: \(successContiguity), where: "ok"}
              within: \(within)
              afterMatch: \(afterMatch)
              measures: \(measures)
        sink: {kafka: {topic: \(sink)}}
        """
    }

    func feed(_ chain: RecordChain, _ json: String, _ sink: Collect) throws {
        var text = json
        try text.withUTF8 { u in
            try chain.process(value: UnsafeRawBufferPointer(u), key: nil, kafkaTimestampMs: nil, partition: 0, nowMs: 0, sink: sink)
        }
        try chain.advance(nowMs: 0, sink: sink)
    }

    func savepoint(of chain: RecordChain) throws -> Savepoint {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-cep-sp-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let op = try XCTUnwrap(chain.op)
        let collector = try SavepointCollector(directory: dir.path, job: "logins", slots: 1)
        let marker = CheckpointMarker(checkpointID: 1, topic: "events", partition: 0, nextOffset: 3, watermark: 2_000,
                                      maxEventTime: 2_000, chunkCount: 1)
        try collector.report(slot: 0, partitions: [(marker, op.snapshotChunks(partition: 0))])
        return try Savepoint.load(directory: dir.path)
    }

    /// Two failures of u1 (a partial match waiting for a third) and one of u2.
    func before() throws -> RecordChain {
        let chain = try RecordChain(job: try XCTUnwrap(load(logins())).job)
        chain.addPartition(0, nowMs: 0)
        let sink = Collect()
        try feed(chain, #"{"user":"u1","ok":false,"ts":1000}"#, sink)
        try feed(chain, #"{"user":"u2","ok":false,"ts":1500}"#, sink)
        try feed(chain, #"{"user":"u1","ok":false,"ts":2000}"#, sink)
        XCTAssertEqual(sink.rows, [])
        XCTAssertGreaterThan(try XCTUnwrap(chain.op).stateCounts.keys, 0, "partial matches are open at the savepoint")
        return chain
    }

    func testPartialMatchesCarryOverAndAnEditedConditionAndMeasureAreAccepted() throws {
        let edited = logins(failWhere: "not ok and user != 'nobody'",
                            measures: "{failures: count(fail), first_failure: match_start(), success_at: match_end(), last_ts: last(success.ts)}",
                            sink: "alerts-v2")
        let job = try XCTUnwrap(load(edited)).job
        let sp = try savepoint(of: try before())
        XCTAssertNoThrow(try SavepointRestore(sp).checkCompatible(with: job))

        let chain = try RecordChain(job: job)
        let (_, chunks) = try XCTUnwrap(sp.state(topic: "events", partition: 0))
        try XCTUnwrap(chain.op).restore(partition: 0, chunks: chunks)
        chain.addPartition(0, nowMs: 0, restoredMaxEventTime: 2_000)
        let sink = Collect()
        try feed(chain, #"{"user":"u1","ok":false,"ts":3000}"#, sink)   // u1's third failure: only with the two restored
        try feed(chain, #"{"user":"u2","ok":true,"ts":3500}"#, sink)    // u2: one failure, no match
        try feed(chain, #"{"user":"u1","ok":true,"ts":4000}"#, sink)
        try chain.flush(sink: sink)
        XCTAssertEqual(sink.rows, [#"{"user":"u1","failures":3,"first_failure":1000,"success_at":4000,"last_ts":4000}"#])
    }

    func testWithoutTheSavepointTheSameRecordsMatchNothing() throws {
        // The check above is not vacuous: the restored failures are what completes the match.
        let chain = try RecordChain(job: try XCTUnwrap(load(logins())).job)
        chain.addPartition(0, nowMs: 0)
        let sink = Collect()
        try feed(chain, #"{"user":"u1","ok":false,"ts":3000}"#, sink)
        try feed(chain, #"{"user":"u1","ok":true,"ts":4000}"#, sink)
        try chain.flush(sink: sink)
        XCTAssertEqual(sink.rows, [])
    }

    func testAnEditedPatternIsRefusedBeforeStartingNamingTheChange() throws {
        let cases: [(String, String)] = [
            (logins(failName: "failed", measures: "{failures: count(failed)}"), "pattern stages were [\"fail\", \"success\"], are now [\"failed\", \"success\"]"),
            (logins(within: "10m"), "within was 300000 ms, is now 600000 ms"),
            (logins(afterMatch: "skipToNext"), "afterMatch was skipPastLastEvent, is now skipToNext"),
            (logins(successContiguity: "followedBy"), "stage 'success' changed"),
            (logins(fail: "times: 3"), "stage 'fail' changed"),
            (logins(keyBy: "[user, ok]"), "key fields were"),
        ]
        let sp = try savepoint(of: try before())
        for (yaml, expected) in cases {
            let job = try XCTUnwrap(load(yaml)).job
            var message = "accepted"
            do { try SavepointRestore(sp).checkCompatible(with: job) } catch { message = "\(error)" }
            XCTAssertTrue(message.hasPrefix("the savepoint's state of events[0] cannot be restored into pipeline logins: "), message)
            XCTAssertTrue(message.contains(expected), "\(message): should say \(expected)")
        }
    }
}
