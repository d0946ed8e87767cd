import Foundation
import XCTest
import WeirEngine
import WeirKafka
import WeirPipelines

/// Kafka sinks without exactly-once (issue 5), on the embedded broker, with
/// pipelines/clean-clicks.yaml and the fault-test cluster (`FaultCluster`:
/// broker 1 leads the input, 2 the output and state, 3 coordinates transactions).
///
/// Every transaction request (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
/// TxnOffsetCommit) has an error queued for it on every broker before the job
/// starts: a transactional producer would consume them, so their being still
/// queued at the end shows that none was used.
final class DeliveryGuaranteeEndToEndTests: XCTestCase {
    static let transactionAPIs: [KafkaAPIKey] = [.addPartitionsToTxn, .addOffsetsToTxn, .endTxn, .txnOffsetCommit]

    /// At-least-once: once the first checkpoints are in, the output broker
    /// refuses one Produce request for good (MESSAGE_SIZE_TOO_LARGE). The task
    /// whose records were refused must not drop them: it fails at its next
    /// checkpoint, before writing the marker, and stops without a final
    /// checkpoint; the restart strategy replaces it, and the new task restores
    /// from the newest marker and reads again from there. Every expected output
    /// record must then be present (repeats allowed), the group's committed
    /// offsets must have advanced to the end of the input, and no transaction
    /// request may have reached a broker.
    func testAtLeastOnceRestartAfterAFailedDeliveryLosesNothing() async throws {
        var clock = PhaseClock()
        let (cluster, spec) = try makeCluster("alo-crash", .atLeastOnce)
        let events = ClickEvent.generate(10_000)
        let expected = CleanClicksExpectation(events)
        try cluster.produce(events[..<4_500].map(\.record))
        clock.mark("setup")

        let running = RunningJob(cluster: cluster, runtime: cluster.runtime())
        try await running.waitForFirstCheckpoints()
        let early = try committedOffsets(cluster)
        XCTAssertGreaterThan(early.values.reduce(0) { $0 + max(0, $1) }, 0, "the first checkpoints committed offsets to the group: \(early)")
        clock.mark("first checkpoints")

        try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.outputBroker, apiKey: .produce, errors: [.messageSizeTooLarge])
        try cluster.produce(events[4_500..<9_000].map(\.record))
        try await running.waitFor("the task with undelivered records failed and was restarted") { running.restarts >= 1 }
        clock.mark("failure")
        try cluster.produce(events[9_000...].map(\.record))
        try await running.waitUntilDone()
        clock.mark("done")
        try await running.stop()
        clock.mark("stop")

        XCTAssertEqual(try cluster.queuedErrors(.produce), 0, "the refused Produce request happened")
        XCTAssertGreaterThanOrEqual(running.restarts, 1)
        XCTAssertEqual(running.metrics.aborts, 0, "nothing to abort without transactions")
        XCTAssertGreaterThan(running.metrics.processed, events.count, "records after the last marker were read again")
        let dlq = try XCTUnwrap(spec.deadLetterTopic)
        let read = try cluster.read(spec.sink.topic, dlq)
        let output = expected.checkOutput(read[spec.sink.topic] ?? [], allowDuplicates: true)
        let dead = expected.checkDeadLetters(read[dlq] ?? [], pipeline: spec.name, sourceTopic: spec.source.topics[0], allowDuplicates: true)
        try assertOffsetsCommitted(cluster, after: early)
        try assertNoTransactions(cluster)
        print("[guarantee] at-least-once crash: \(clock), commits \(running.metrics.commits), restarts \(running.restarts), "
              + "processed \(running.metrics.processed)/\(events.count), output \(output.distinct) (+\(output.duplicates) repeats), "
              + "dead letters \(dead.distinct) (+\(dead.duplicates) repeats)")
    }

    /// At-least-once: a partition whose new owner has nothing left to read
    /// still gets the group's offset brought up to its marker (where a commit
    /// that met a rebalance, or a task that failed after writing its markers,
    /// left it behind). The first run, exactly-once, processes the whole input:
    /// markers at its end, and no group offsets, since the embedded broker drops
    /// offsets sent in a transaction. The second run, at-least-once, reads
    /// nothing and must commit the positions it restored.
    func testAtLeastOnceRestoreBringsGroupOffsetsUpToTheMarkers() async throws {
        var spec = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path).job
        spec.sink.deliveryGuarantee = .exactlyOnce
        let cluster = try FaultCluster(spec: spec, instanceID: "alo-restore")
        try cluster.produce(ClickEvent.generate(4_000).map(\.record))
        let first = RunningJob(cluster: cluster, runtime: cluster.runtime())
        try await first.waitUntilDone()
        try await first.stop()
        let ends = try MarkerWatch(cluster: cluster).ends(of: spec.source.topics[0], partitions: cluster.partitions)
        XCTAssertGreaterThan(ends.values.min() ?? 0, 0, "every partition has input")
        XCTAssertTrue(try committedOffsets(cluster).values.allSatisfy { $0 < 0 },
                      "the embedded broker kept no group offset of the exactly-once run")

        spec.sink.deliveryGuarantee = .atLeastOnce
        let second = RunningJob(cluster: cluster, spec: spec, runtime: cluster.runtime())
        try await second.waitFor("the restored positions committed to the group") {
            let committed = try committedOffsets(cluster)
            return ends.allSatisfy { committed[$0.key] == $0.value }
        }
        try await second.stop()
        XCTAssertEqual(second.metrics.processed, 0, "nothing was read again: restore follows the markers, not the group")
        try assertOffsetsCommitted(cluster, after: [:])
    }

    /// None: the output arrives, state and markers are written (the run ends
    /// once markers cover the input), the clean stop leaves the group's offsets
    /// at the end of the input, and no transaction is used.
    func testNoGuaranteeDeliversOutput() async throws {
        var clock = PhaseClock()
        let (cluster, spec) = try makeCluster("none-flow", .none)
        let events = ClickEvent.generate(6_000)
        let expected = CleanClicksExpectation(events)
        try cluster.produce(events[..<3_000].map(\.record))
        let running = RunningJob(cluster: cluster, runtime: cluster.runtime())
        try await running.waitForFirstCheckpoints()
        try cluster.produce(events[3_000...].map(\.record))
        try await running.waitUntilDone()
        try await running.stop()
        clock.mark("run")

        XCTAssertEqual(running.restarts, 0)
        XCTAssertEqual(running.metrics.aborts, 0)
        let dlq = try XCTUnwrap(spec.deadLetterTopic)
        let read = try cluster.read(spec.sink.topic, dlq)
        // A partition moved by a rebalance may be read again from a marker not yet
        // delivered to its new owner: repeats are within what `none` allows.
        let output = expected.checkOutput(read[spec.sink.topic] ?? [], allowDuplicates: true)
        expected.checkDeadLetters(read[dlq] ?? [], pipeline: spec.name, sourceTopic: spec.source.topics[0], allowDuplicates: true)
        try assertOffsetsCommitted(cluster, after: [:])
        try assertNoTransactions(cluster)
        print("[guarantee] none: \(clock), commits \(running.metrics.commits), output \(output.distinct) (+\(output.duplicates) repeats)")
    }

    // MARK: helpers

    /// clean-clicks with `guarantee`, on a fresh cluster with the transaction tripwires set.
    func makeCluster(_ name: String, _ guarantee: DeliveryGuarantee) throws -> (FaultCluster, JobSpec) {
        var spec = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path).job
        spec.sink.deliveryGuarantee = guarantee
        let cluster = try FaultCluster(spec: spec, instanceID: name)
        for broker: Int32 in 1...3 {
            for api in Self.transactionAPIs {
                try cluster.broker.pushBrokerRequestErrors(brokerID: broker, apiKey: api, errors: [.concurrentTransactions])
            }
        }
        return (cluster, spec)
    }

    func assertNoTransactions(_ cluster: FaultCluster, file: StaticString = #filePath, line: UInt = #line) throws {
        for api in Self.transactionAPIs {
            XCTAssertEqual(try cluster.queuedErrors(api), 3, "no \(api) request reached a broker: no transactional producer", file: file, line: line)
        }
    }

    /// The source group's committed offsets, read with a consumer of that group
    /// that never joins it (OffsetFetch only).
    func committedOffsets(_ cluster: FaultCluster) throws -> [TopicPartition: Int64] {
        let consumer = try KafkaConsumer(config: KafkaConfig(bootstrapServers: cluster.bootstrap, groupID: cluster.spec.source.group)) { _ in }
        defer { consumer.close() }
        let topic = cluster.spec.source.topics[0]
        let parts = (0..<cluster.partitions).map { TopicPartition(topic: topic, partition: $0) }
        return Dictionary(uniqueKeysWithValues: try consumer.committed(parts).map { ($0.topicPartition, $0.offset) })
    }

    /// Every input partition's committed offset is its end offset, and (where
    /// `earlier` had one) it moved on from there.
    func assertOffsetsCommitted(_ cluster: FaultCluster, after earlier: [TopicPartition: Int64],
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let ends = try MarkerWatch(cluster: cluster).ends(of: cluster.spec.source.topics[0], partitions: cluster.partitions)
        let committed = try committedOffsets(cluster)
        for (tp, end) in ends where end > 0 {
            // A group commit that meets a rebalance is only logged (restore reads the markers), and a
            // partition's new owner that had nothing left to read commits nothing: the group's offset
            // may stay at an earlier checkpoint, never beyond the input and never unset.
            let c = committed[tp] ?? -1
            XCTAssertTrue(c > 0 && c <= end, "\(tp): committed offset \(c) is a checkpoint's, within the input (end \(end))", file: file, line: line)
            if let before = earlier[tp], before >= 0, before < end {
                XCTAssertGreaterThan(committed[tp] ?? -1, before, "\(tp): committed offset advanced", file: file, line: line)
            }
        }
    }
}
