import Foundation
import XCTest
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines

/// Faults injected into the embedded broker while a job runs (issue 5):
/// retriable errors, a broker down, an abortable error, fencing (also of the
/// checkpoint a rebalance triggers), a restart strategy that runs out, and
/// windowed (stateful) variants. In every case that recovers, the output is compared
/// with an independent computation: every expected record present, nothing
/// unexpected, and every repeat an identical re-emit (the mock shows records of
/// aborted transactions to read_committed readers, DESIGN.md); where the job
/// neither aborted nor restarted there must be no repeat at all. The job's
/// metrics show that each fault really hit.
///
/// Layout: `FaultCluster` (3 brokers: 1 leads the input, 2 the job's output and
/// state, 3 coordinates the transactions). The input comes in three parts:
/// the first before the job starts; once records flowed and every task
/// committed a checkpoint the fault is injected and the second part produced
/// (so the job's next Produce, AddPartitionsToTxn, EndTxn and FindCoordinator
/// requests all come after the injection); once the fault has visibly hit
/// (errors consumed, an abort, a restart), the last part, which the recovered
/// job must also handle before the test stops it.
final class FaultInjectionTests: XCTestCase {
    // MARK: retriable errors: librdkafka retries, the job sees nothing

    /// Retriable errors on the job's Produce (output and state partitions),
    /// AddPartitionsToTxn and EndTxn requests: librdkafka retries each, the job
    /// sees none of them.
    func testRetriableProduceAndTransactionErrors() async throws {
        let apis: [KafkaAPIKey] = [.produce, .addPartitionsToTxn, .endTxn]
        let r = try await runCleanClicks("retriable", hit: { c, _ in try apis.allSatisfy { try c.queuedErrors($0) == 0 } }) { cluster, _ in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.outputBroker, apiKey: .produce,
                                                       errors: [.notEnoughReplicas, .requestTimedOut, .notEnoughReplicasAfterAppend])
            for api in apis.dropFirst() {
                try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: api,
                                                           errors: [.concurrentTransactions, .coordinatorLoadInProgress, .concurrentTransactions])
            }
        }
        r.assertUndisturbed()
    }

    /// NOT_COORDINATOR on EndTxn makes the producer look its coordinator up
    /// again; FindCoordinator then fails retriably on every broker for a while.
    func testRetriableFindCoordinatorErrors() async throws {
        let perBroker = 3
        let r = try await runCleanClicks("findcoordinator-retriable", hit: { c, _ in
            try c.queuedErrors(.endTxn) == 0 && c.queuedErrors(.findCoordinator) < 3 * perBroker
        }) { cluster, _ in
            for b: Int32 in 1...3 {
                try cluster.broker.pushBrokerRequestErrors(brokerID: b, apiKey: .findCoordinator,
                                                           errors: Array(repeating: .coordinatorNotAvailable, count: perBroker))
            }
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn,
                                                       errors: [.notCoordinator])
        }
        print("[faults] FindCoordinator errors consumed: \(3 * perBroker - (try r.cluster.queuedErrors(.findCoordinator))) of \(3 * perBroker)")
        r.assertUndisturbed()
    }

    // MARK: a broker down

    /// The leader of every output and state partition goes down; after a second
    /// its partitions get a new leader, after three it comes back. librdkafka
    /// rides it out: checkpoints wait, nothing aborts.
    func testPartitionLeaderDown() async throws {
        let r = try await runCleanClicks("leader-down", hit: { _, _ in true }) { cluster, feed in
            try cluster.broker.setBrokerDown(FaultCluster.outputBroker)
            try feed()
            try await Task.sleep(for: .seconds(1))
            for t in cluster.writtenTopics { try cluster.lead(t, by: FaultCluster.inputBroker) }
            try await Task.sleep(for: .seconds(2))
            try cluster.broker.setBrokerUp(FaultCluster.outputBroker)
        }
        XCTAssertGreaterThanOrEqual(r.longestCheckpointMs, 500, "a checkpoint waited for the new leader")
        r.assertRecovered()
    }

    /// The transaction coordinator goes down; after a second the coordinators
    /// move to another broker, after three it comes back. Checkpoints wait,
    /// nothing aborts.
    func testTransactionCoordinatorDown() async throws {
        let r = try await runCleanClicks("coordinator-down", hit: { _, _ in true }) { cluster, feed in
            try cluster.broker.setBrokerDown(FaultCluster.coordinatorBroker)
            try feed()
            try await Task.sleep(for: .seconds(1))
            try cluster.moveTransactionCoordinators(to: FaultCluster.outputBroker)
            try await Task.sleep(for: .seconds(2))
            try cluster.broker.setBrokerUp(FaultCluster.coordinatorBroker)
        }
        XCTAssertGreaterThanOrEqual(r.longestCheckpointMs, 500, "a checkpoint waited for the coordinator")
        r.assertRecovered()
    }

    // MARK: aborts, fencing, restarts

    /// MESSAGE_SIZE_TOO_LARGE on Produce dooms the transaction: the task aborts,
    /// rewinds to its last checkpoint and carries on without a restart.
    func testAbortableProduceErrorRewinds() async throws {
        let r = try await runCleanClicks("produce-abortable", hit: { _, job in job.metrics.aborts >= 1 }) { cluster, _ in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.outputBroker, apiKey: .produce,
                                                       errors: [.messageSizeTooLarge])
        }
        XCTAssertEqual(try r.cluster.queuedErrors(.produce), 0)
        XCTAssertGreaterThanOrEqual(r.metrics.aborts, 1, "the doomed transaction was aborted")
        XCTAssertEqual(r.restarts, 0, "an abortable error needs no restart")
        XCTAssertGreaterThan(r.metrics.processed, r.events, "the aborted records were processed again")
    }

    /// PRODUCER_FENCED on EndTxn and INVALID_PRODUCER_EPOCH on Produce are fatal:
    /// each ends a task, and the job replaces it in its slot.
    func testFencedTasksAreReplaced() async throws {
        let r = try await runCleanClicks("fenced", hit: { _, job in job.restarts >= 2 }) { cluster, _ in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn, errors: [.producerFenced])
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.outputBroker, apiKey: .produce, errors: [.invalidProducerEpoch])
        }
        XCTAssertEqual(try r.cluster.queuedErrors(.endTxn), 0)
        XCTAssertEqual(try r.cluster.queuedErrors(.produce), 0)
        XCTAssertEqual(r.restarts, 2, "each fencing error ended one task, which was restarted")
    }

    /// `.fixedDelay(attempts: 1)`: the first fenced task is replaced, the second
    /// failure fails the job with `JobFailed` carrying the fencing error.
    func testRestartStrategyExhausted() async throws {
        try await runUntilJobFails("exhausted", restart: .fixedDelay(attempts: 1, delayMs: 100),
                                   fencingErrors: 2, expectedRestarts: 1)
    }

    /// `.none`: the first failure fails the job.
    func testNoRestartStrategy() async throws {
        try await runUntilJobFails("no-restart", restart: .none, fencingErrors: 1, expectedRestarts: 0)
    }

    /// A second instance of the job joins the group; the rebalance revokes the
    /// first instance's partitions while its transactions are open, so each of
    /// its tasks checkpoints inside the revoke callback, and one of those
    /// commits is fenced. That task must end and be replaced at once, not carry
    /// on with a dead producer until a record reaches it. Both instances then
    /// share the input, and the output stays exact.
    func testFencedCheckpointOnRevokeEndsTheTask() async throws {
        var clock = PhaseClock()
        let spec = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path).job
        let cluster = try FaultCluster(spec: spec, instanceID: "revoke-a")
        // The second instance's transactions go elsewhere: the error is for the first one's.
        try cluster.moveTransactionCoordinators(to: FaultCluster.inputBroker, instanceID: "revoke-b", slots: 1)
        let events = ClickEvent.generate(8_000)
        let expected = CleanClicksExpectation(events)
        try cluster.produce(events[..<6_000].map(\.record))
        clock.mark("setup")

        // Checkpoints 20 s apart: the transactions are still open when the rebalance
        // comes (4 s and 10 s were too short in full runs on a loaded machine: a timed
        // checkpoint came before the first 6,000 records were processed and the premise
        // failed). The transaction timeout must be at least 3× the interval.
        var runtimeA = cluster.runtime(checkpointIntervalMs: 20_000)
        runtimeA.transactionTimeoutMs = 60_000
        let a = RunningJob(cluster: cluster, runtime: runtimeA)
        try await a.waitFor("the first part processed") { a.metrics.processed >= 6_000 }
        XCTAssertEqual(a.metrics.commits, 0, "no checkpoint yet")
        clock.mark("first part")
        try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn, errors: [.producerFenced])
        var single = spec
        single.parallelism = 1
        let b = RunningJob(cluster: cluster, spec: single, runtime: cluster.runtime(instanceID: "revoke-b"))
        try await a.waitFor("a checkpoint on revoke met the fencing error", timeout: 20) { try cluster.queuedErrors(.endTxn) == 0 }
        clock.mark("revoke")
        let processed = a.metrics.processed + b.metrics.processed
        try await a.waitFor("the fenced task was replaced", timeout: 10) { a.restarts == 1 }
        XCTAssertEqual(a.metrics.processed + b.metrics.processed, processed, "replaced before any record reached it")
        clock.mark("restart")

        try cluster.produce(events[6_000...].map(\.record))
        try await a.waitUntilDone(alongside: [b], timeout: 90)  // the end waits for a timed checkpoint
        clock.mark("done")
        try await a.stop()
        try await b.stop()
        clock.mark("stop")
        XCTAssertEqual(a.restarts, 1)
        XCTAssertEqual(b.restarts, 0)
        XCTAssertGreaterThan(b.metrics.commits, 0, "the second instance took part")
        let dlq = try XCTUnwrap(spec.deadLetterTopic)
        let read = try cluster.read(spec.sink.topic, dlq)
        let output = expected.checkOutput(read[spec.sink.topic] ?? [], allowDuplicates: true)
        let dead = expected.checkDeadLetters(read[dlq] ?? [], pipeline: spec.name,
                                             sourceTopic: spec.source.topics[0], allowDuplicates: true)
        clock.mark("check")
        print("[faults] revoke-fenced: \(clock), commits \(a.metrics.commits)+\(b.metrics.commits), restarts \(a.restarts), "
              + "processed \(a.metrics.processed)+\(b.metrics.processed)/\(events.count), output \(output.distinct) (+\(output.duplicates) repeats), "
              + "dead letters \(dead.distinct) (+\(dead.duplicates) repeats)")
    }

    // MARK: windows (stateful)

    /// An abort must also rewind window state (and event time): per-user
    /// tumbling windows stay exact across it.
    func testWindowedAbortRewindsState() async throws {
        let r = try await runWindowed("windows-abort", hit: { _, job in job.metrics.aborts >= 1 }) { cluster in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.outputBroker, apiKey: .produce,
                                                       errors: [.messageSizeTooLarge])
        }
        XCTAssertEqual(try r.cluster.queuedErrors(.produce), 0)
        XCTAssertGreaterThanOrEqual(r.metrics.aborts, 1)
        XCTAssertEqual(r.restarts, 0)
    }

    /// A fenced task is replaced: the new one restores window state from the
    /// last checkpoint and the results stay exact.
    func testWindowedFencedRestartRestoresState() async throws {
        let r = try await runWindowed("windows-fenced", hit: { _, job in job.restarts >= 1 }) { cluster in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn, errors: [.producerFenced])
        }
        XCTAssertEqual(try r.cluster.queuedErrors(.endTxn), 0)
        XCTAssertEqual(r.restarts, 1)
    }

    /// Issue 9 inside one process: of two tasks, one is fenced and replaced by
    /// the restart strategy while the other runs on. Its partitions go to the
    /// other task (far ahead in its own partitions) and come back, each time
    /// restored at an older checkpoint: every window stays exact and no record
    /// is late (they were judged by the other task's watermark before).
    func testRestartedTaskOfTwoHandsItsPartitionsOverExactly() async throws {
        // The fault hits while records flow: the fenced task's partitions go back to
        // its last checkpoint while the other task reads on.
        let r = try await runWindowed("windows-fenced-p2", parallelism: 2, paced: true, hit: { _, job in job.restarts >= 1 }) { cluster in
            try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn, errors: [.producerFenced])
        }
        XCTAssertEqual(try r.cluster.queuedErrors(.endTxn), 0)
        XCTAssertEqual(r.restarts, 1)
        XCTAssertEqual(r.metrics.late, 0)
    }
}

// MARK: - the clean-clicks scenario

extension FaultInjectionTests {
    struct Run {
        let name: String
        let cluster: FaultCluster
        let events: Int
        let expected: CleanClicksExpectation
        let metrics: MetricsSnapshot
        let restarts: Int
        let longestCheckpointMs: Double
        let output: CleanClicksExpectation.Outcome
        let deadLetters: CleanClicksExpectation.Outcome

        /// Nothing aborted or restarted: every event handled once, every record written once.
        func assertUndisturbed(file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(metrics.aborts, 0, "aborts", file: file, line: line)
            XCTAssertEqual(restarts, 0, "restarts", file: file, line: line)
            XCTAssertEqual(metrics.processed, events, "every event processed exactly once", file: file, line: line)
            XCTAssertEqual(metrics.emitted, expected.output.count, file: file, line: line)
            XCTAssertEqual(metrics.deadLettered, expected.deadLetters.count, file: file, line: line)
            XCTAssertEqual(output.duplicates, 0, "no output record repeated", file: file, line: line)
            XCTAssertEqual(deadLetters.duplicates, 0, "no dead letter repeated", file: file, line: line)
        }

        /// A broker outage is usually ridden out; on a loaded machine a call can
        /// time out and abort or restart instead. Either way the output (checked by
        /// the harness) is exact; undisturbed runs must also be free of repeats.
        func assertRecovered(file: StaticString = #filePath, line: UInt = #line) {
            if metrics.aborts == 0 && restarts == 0 { return assertUndisturbed(file: file, line: line) }
            XCTAssertLessThanOrEqual(restarts, 5, "within the restart strategy", file: file, line: line)
            XCTAssertGreaterThanOrEqual(metrics.processed, events, "every event processed", file: file, line: line)
        }
    }

    /// clean-clicks over `events` generated events with a fault injected while
    /// it runs. `fault` gets the cluster and `feed`, which produces the second
    /// part of the input (called after `fault` returns if it did not); `hit`
    /// says when the fault has hit, then the last part is produced.
    func runCleanClicks(_ name: String, events n: Int = 10_000,
                        restart: RestartStrategy = .fixedDelay(attempts: 5, delayMs: 200),
                        file: StaticString = #filePath, line: UInt = #line,
                        hit: (FaultCluster, RunningJob) throws -> Bool,
                        fault: (FaultCluster, _ feed: () throws -> Void) async throws -> Void) async throws -> Run {
        var clock = PhaseClock()
        let spec = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path).job
        let cluster = try FaultCluster(spec: spec, instanceID: name)
        clock.mark("cluster")
        let events = ClickEvent.generate(n)
        let expected = CleanClicksExpectation(events)
        let (first, second) = (n * 45 / 100, n * 90 / 100)
        try cluster.produce(events[..<first].map(\.record))

        clock.mark("setup")
        let running = RunningJob(cluster: cluster, runtime: cluster.runtime(restart: restart))
        try await running.waitForFirstCheckpoints()
        clock.mark("first checkpoints")
        var fed = false
        let feed = {
            guard !fed else { return }
            fed = true
            try cluster.produce(events[first..<second].map(\.record))
        }
        try await fault(cluster, feed)
        try feed()
        try await running.waitFor("the fault hit", file: file, line: line) { try hit(cluster, running) }
        clock.mark("fault")
        try cluster.produce(events[second...].map(\.record))
        try await running.waitUntilDone(file: file, line: line)
        clock.mark("done")
        try await running.stop()
        clock.mark("stop")

        let dlq = try XCTUnwrap(spec.deadLetterTopic)
        let read = try cluster.read(spec.sink.topic, dlq)
        let output = expected.checkOutput(read[spec.sink.topic] ?? [], allowDuplicates: true, file: file, line: line)
        let dead = expected.checkDeadLetters(read[dlq] ?? [], pipeline: spec.name,
                                             sourceTopic: spec.source.topics[0], allowDuplicates: true, file: file, line: line)
        if output.missing > 0 { try diagnoseMissing(cluster: cluster, read: read[spec.sink.topic] ?? [], expected: expected) }
        let run = Run(name: name, cluster: cluster, events: n, expected: expected, metrics: running.metrics,
                      restarts: running.restarts, longestCheckpointMs: running.longestCheckpointMs, output: output, deadLetters: dead)
        clock.mark("check")
        print("[faults] \(name): \(clock), commits \(run.metrics.commits), aborts \(run.metrics.aborts), "
              + "restarts \(run.restarts), processed \(run.metrics.processed)/\(n), output \(output.distinct) (+\(output.duplicates) repeats), "
              + "dead letters \(dead.distinct) (+\(dead.duplicates) repeats), longest checkpoint \(String(format: "%.0f", run.longestCheckpointMs)) ms")
        return run
    }

    /// Fencing errors on EndTxn until the restart strategy gives up: `run()`
    /// throws `JobFailed` with the fencing error, after `expectedRestarts`.
    func runUntilJobFails(_ name: String, restart: RestartStrategy, fencingErrors: Int, expectedRestarts: Int,
                          file: StaticString = #filePath, line: UInt = #line) async throws {
        let clock = PhaseClock()
        let spec = try PipelineLoader.load(path: repoRoot.appendingPathComponent("pipelines/clean-clicks.yaml").path).job
        let cluster = try FaultCluster(spec: spec, instanceID: name)
        let events = ClickEvent.generate(4_000)
        try cluster.produce(events[..<2_000].map(\.record))
        let running = RunningJob(cluster: cluster, runtime: cluster.runtime(restart: restart))
        try await running.waitForFirstCheckpoints()
        try cluster.broker.pushBrokerRequestErrors(brokerID: FaultCluster.coordinatorBroker, apiKey: .endTxn,
                                                   errors: Array(repeating: .producerFenced, count: fencingErrors))
        try cluster.produce(events[2_000...].map(\.record))
        let (result, timedOut) = await running.outcome(timeout: 40)
        XCTAssertFalse(timedOut, "the job failed on its own", file: file, line: line)
        switch result {
        case .success:
            XCTFail("the job ended without failing", file: file, line: line)
        case .failure(let error):
            let failed = try XCTUnwrap(error as? JobFailed, "\(error)", file: file, line: line)
            XCTAssertEqual(failed.job, spec.name, file: file, line: line)
            let cause = try XCTUnwrap(failed.cause as? KafkaError, "\(failed.cause)", file: file, line: line)
            XCTAssertTrue(cause.isFenced, "\(cause)", file: file, line: line)
        }
        XCTAssertEqual(running.restarts, expectedRestarts, file: file, line: line)
        XCTAssertEqual(try cluster.queuedErrors(.endTxn), 0, "every fencing error hit a task", file: file, line: line)
        print("[faults] \(name): \(String(format: "%.1f", clock.total)) s, restarts \(running.restarts), "
              + "commits \(running.metrics.commits), result \(result)")
    }
}

extension FaultInjectionTests {
    /// Where the missing records were in the input, and the checkpoint markers of their partitions.
    func diagnoseMissing(cluster: FaultCluster, read: [ReadRecord], expected: CleanClicksExpectation) throws {
        let input = cluster.spec.source.topics[0]
        let all = try cluster.read(input, cluster.stateTopic)
        var have = Set<Int>()
        for r in read {
            if let o = (try? JSONSerialization.jsonObject(with: Data(r.value))) as? [String: Any], let id = o["id"] as? Int { have.insert(id) }
        }
        var missingAt: [Int32: [Int64]] = [:]
        for r in all[input] ?? [] {
            let text = String(decoding: r.value, as: UTF8.self)
            let id = Int(text.split(separator: ",").first?.split(separator: ":").last.map(String.init) ?? "") ?? -1
            if expected.output[id] != nil && !have.contains(id) { missingAt[r.partition, default: []].append(r.offset) }
        }
        for (p, offsets) in missingAt.sorted(by: { $0.key < $1.key }) {
            print("[diag] input[\(p)]: \(offsets.count) missing, offsets \(offsets.min()!)...\(offsets.max()!)")
            for r in all[cluster.stateTopic] ?? [] where r.key == "m:\(input):\(p)" {
                if let m = CheckpointMarker.decode(r.value) {
                    print("[diag]   marker at state[\(r.partition)]@\(r.offset): id \(m.checkpointID) next \(m.nextOffset)")
                }
            }
        }
    }
}

// MARK: - the windowed scenario

extension FaultInjectionTests {
    /// A keyed event: `ts` rises with `id`, so every partition's event time is
    /// in order and no record is late in a run without faults.
    struct TimedEvent {
        var id: Int, user: String, ts: Int64, cents: Int
        var record: (String, [UInt8]) {
            (user, Array("{\"id\":\(id),\"user_id\":\"\(user)\",\"ts\":\(ts),\"cents\":\(cents)}".utf8))
        }
    }

    static let windowMs: Int64 = 2_000

    /// `keyBy(user_id).window(tumbling 2 s on ts).aggregate(count, sum(cents))`,
    /// built by hand (no windows in pipeline files yet). Late records and dead
    /// letters are only counted (there must be none).
    static func windowedSpec(parallelism: Int = 1) throws -> JobSpec {
        let program = RecordProgram(inputFields: [FieldPath(["user_id"]), FieldPath(["ts"]), FieldPath(["cents"])],
                                    slotCount: 3, steps: [], output: .projected([]))
        let config = WindowOperatorConfig(keyFields: [.init(name: "user", slot: 0)], window: .tumbling(sizeMs: windowMs),
                                          aggregates: [.count(as: "n"), .sum(2, as: "total")], inputSlotCount: 3)
        let stage = JobSpec.StatefulStage(timestamp: TimestampExtractor(.field(slot: 1, format: .epochMillis)),
                                          watermark: WatermarkConfig(maxOutOfOrdernessMs: 0), keySlots: [0]) { try WindowOperator(config) }
        return JobSpec(name: "user-windows", source: .init(topics: ["win-input"], group: "user-windows"), program: program,
                       sink: .init(topic: "win-output"), parallelism: parallelism, stateful: stage)
    }

    struct WindowRun {
        let cluster: FaultCluster
        let metrics: MetricsSnapshot
        let restarts: Int
        let results: Int
        let duplicates: Int
    }

    /// 8,000 events of 50 users over 32 s of event time (16 windows each), in
    /// three parts around the fault as in `runCleanClicks`; at the end the input
    /// is flushed (every window fires). Every (user, window)
    /// result must equal the independent count and sum, exactly once or as
    /// identical re-emits.
    /// `paced`: the second part is written in 20 steps 150 ms apart and the fault is
    /// injected after the fifth, so it hits while records flow.
    func runWindowed(_ name: String, parallelism: Int = 1, paced: Bool = false, file: StaticString = #filePath, line: UInt = #line,
                     hit: (FaultCluster, RunningJob) throws -> Bool,
                     fault: (FaultCluster) async throws -> Void) async throws -> WindowRun {
        var clock = PhaseClock()
        let spec = try Self.windowedSpec(parallelism: parallelism)
        let cluster = try FaultCluster(spec: spec, instanceID: name)
        let base: Int64 = 1_700_000_000_000
        let n = 8_000
        let events = (0..<n).map { i in
            TimedEvent(id: i, user: "u\(Int.random(in: 0..<50))", ts: base + Int64(i) * 4, cents: Int.random(in: 1...99_999))
        }
        struct Window: Hashable { var user: String; var start: Int64 }
        var expected: [Window: (n: Int, total: Int)] = [:]
        for e in events {
            let w = Window(user: e.user, start: e.ts - e.ts % Self.windowMs)
            expected[w, default: (0, 0)].n += 1
            expected[w, default: (0, 0)].total += e.cents
        }

        let (first, second) = (n * 45 / 100, n * 90 / 100)
        try cluster.produce(events[..<first].map(\.record))
        clock.mark("setup")
        let running = RunningJob(cluster: cluster, runtime: cluster.runtime())
        try await running.waitForFirstCheckpoints()
        clock.mark("first checkpoints")
        if paced {
            let step = (second - first) / 20
            for (i, from) in stride(from: first, to: second, by: step).enumerated() {
                try cluster.produce(events[from..<min(second, from + step)].map(\.record))
                if i == 4 { try await fault(cluster) }
                try await Task.sleep(for: .milliseconds(150))
            }
        } else {
            try await fault(cluster)
            try cluster.produce(events[first..<second].map(\.record))
        }
        try await running.waitFor("the fault hit", file: file, line: line) { try hit(cluster, running) }
        clock.mark("fault")
        try cluster.produce(events[second...].map(\.record))
        try await running.waitUntilDone(file: file, line: line)
        clock.mark("done")
        try await running.stop(flush: true)
        clock.mark("stop")

        var seen: [Window: [UInt8]] = [:]
        var duplicates = 0, differing: [String] = [], unexpected: [String] = [], wrong: [String] = []
        for r in try cluster.read(spec.sink.topic)[spec.sink.topic] ?? [] {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(r.value))) as? [String: Any],
                  let user = o["user"] as? String, let start = (o["window_start"] as? NSNumber)?.int64Value,
                  let end = (o["window_end"] as? NSNumber)?.int64Value, let count = (o["n"] as? NSNumber)?.intValue,
                  let total = o["total"] as? NSNumber else {
                XCTFail("not a window result: \(String(decoding: r.value, as: UTF8.self))", file: file, line: line)
                continue
            }
            let w = Window(user: user, start: start)
            XCTAssertEqual(r.key, user, "the result's key is its user", file: file, line: line)
            if let previous = seen[w] {
                duplicates += 1
                if previous != r.value { differing.append("\(String(decoding: previous, as: UTF8.self)) vs \(String(decoding: r.value, as: UTF8.self))") }
                continue
            }
            seen[w] = r.value
            guard let want = expected[w] else { unexpected.append("\(user)@\(start)"); continue }
            // The sum of integer cents stays an integer (printed without a fraction).
            if end != start + Self.windowMs || count != want.n || total.doubleValue != Double(want.total)
                || !String(decoding: r.value, as: UTF8.self).hasSuffix("\"total\":\(want.total)}") {
                wrong.append("\(user)@\(start): got n=\(count) total=\(total) end=\(end), want n=\(want.n) total=\(want.total)")
            }
        }
        let missing = expected.keys.filter { seen[$0] == nil }
        let missingWindows = Set(missing.map { $0.start - base }).sorted()
        XCTAssertEqual(missing.count, 0, "\(missing.count) of \(expected.count) window results missing, windows (ms after the first) \(missingWindows.prefix(10))",
                       file: file, line: line)
        XCTAssertEqual(unexpected, [], file: file, line: line)
        XCTAssertEqual(wrong.count, 0, "wrong results: \(wrong.prefix(5))", file: file, line: line)
        XCTAssertEqual(differing.count, 0, "repeats that are not identical re-emits: \(differing.prefix(3))", file: file, line: line)
        let m = running.metrics
        XCTAssertEqual(m.late, 0, "no record was late", file: file, line: line)
        XCTAssertEqual(m.deadLettered, 0, file: file, line: line)
        if m.aborts == 0 && running.restarts == 0 { XCTAssertEqual(duplicates, 0, file: file, line: line) }
        clock.mark("check")
        print("[faults] \(name): \(clock), commits \(m.commits), aborts \(m.aborts), "
              + "restarts \(running.restarts), processed \(m.processed)/\(n), late \(m.late), window results \(seen.count)/\(expected.count) "
              + "(+\(duplicates) repeats)")
        return WindowRun(cluster: cluster, metrics: m, restarts: running.restarts, results: seen.count, duplicates: duplicates)
    }
}
