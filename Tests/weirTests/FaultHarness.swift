import Foundation
import Logging
import Synchronization
import XCTest
import WeirEngine
import WeirKafka

/// A 3-broker embedded cluster laid out so that each kind of fault hits one
/// broker and the test's own clients stay out of its way:
///
/// | broker | leads / coordinates |
/// |---|---|
/// | 1 (`inputBroker`) | the job's source topics, the consumer group |
/// | 2 (`outputBroker`) | the sink, dead-letter and `<job>-state` topics (the job's Produce requests) |
/// | 3 (`coordinatorBroker`) | the transaction coordinator of every task slot |
///
/// The test producer writes the input only (broker 1), so errors pushed for
/// Produce on broker 2 or for transaction requests on broker 3 can only be
/// consumed by the job.
final class FaultCluster {
    static let inputBroker: Int32 = 1, outputBroker: Int32 = 2, coordinatorBroker: Int32 = 3

    let broker: EmbeddedBroker
    let spec: JobSpec
    let instanceID: String
    let partitions: Int32
    var bootstrap: String { broker.bootstrapServers }
    var stateTopic: String { "\(spec.name)-state" }
    /// Every topic the job writes: sink, dead letters, late data, state.
    var writtenTopics: [String] { spec.topics.filter { !spec.source.topics.contains($0) } + [stateTopic] }
    var transactionalIDs: [String] { transactionalIDs(instanceID: instanceID, slots: spec.parallelism) }
    func transactionalIDs(instanceID: String, slots: Int) -> [String] {
        (0..<max(1, slots)).map { "\(spec.name)-\(instanceID)-\($0)" }
    }

    init(spec: JobSpec, instanceID: String, partitions: Int32 = 4) throws {
        broker = try EmbeddedBroker(brokers: 3)
        self.spec = spec
        self.instanceID = instanceID
        self.partitions = partitions
        // The state topic is created here too: the mock has no CreateTopics, and a
        // task would otherwise wait for the Admin API's timeout before using it.
        for t in spec.topics + [stateTopic] {
            try broker.createTopic(t, partitions: Int(partitions), replicationFactor: 3)
        }
        for t in spec.source.topics { try lead(t, by: Self.inputBroker) }
        for t in writtenTopics { try lead(t, by: Self.outputBroker) }
        try broker.setCoordinator(type: .group, key: spec.source.group, brokerID: Self.inputBroker)
        for id in transactionalIDs { try broker.setCoordinator(type: .transaction, key: id, brokerID: Self.coordinatorBroker) }
    }

    deinit { broker.close() }

    /// Makes `brokerID` the leader of every partition of `topic`.
    func lead(_ topic: String, by brokerID: Int32) throws {
        for p in 0..<partitions { try broker.setPartitionLeader(topic: topic, partition: p, brokerID: brokerID) }
    }

    /// Moves every task slot's transaction coordinator (of this cluster's
    /// instance, or of another instance of the job).
    func moveTransactionCoordinators(to brokerID: Int32, instanceID: String? = nil, slots: Int? = nil) throws {
        let ids = transactionalIDs(instanceID: instanceID ?? self.instanceID, slots: slots ?? spec.parallelism)
        for id in ids { try broker.setCoordinator(type: .transaction, key: id, brokerID: brokerID) }
    }

    /// Produces keyed records to the (first) source topic and waits for delivery.
    func produce(_ records: [(String, [UInt8])]) throws {
        try produceAll(records, topic: spec.source.topics[0], bootstrap: bootstrap)
    }

    /// The runtime the fault tests use: short checkpoints, small restart delays,
    /// quick heartbeats (so a rebalance after a task died starts soon).
    func runtime(restart: RestartStrategy = .fixedDelay(attempts: 5, delayMs: 200),
                 checkpointIntervalMs: Int = 250, instanceID: String? = nil) -> RuntimeConfig {
        RuntimeConfig(kafka: KafkaConfig(bootstrapServers: bootstrap, properties: ["heartbeat.interval.ms": "500"]),
                      instanceID: instanceID ?? self.instanceID, checkpointIntervalMs: checkpointIntervalMs,
                      sessionTimeoutMs: 3500, transactionTimeoutMs: 30_000, restart: restart)
    }

    /// Every record of each topic, read by assignment (no group join) with
    /// read_committed, up to each partition's end.
    func read(_ topics: String...) throws -> [String: [ReadRecord]] {
        try readByAssignment(topics: topics, partitions: partitions, bootstrap: bootstrap)
    }

    /// The total of broker-specific errors still queued for `apiKey` on every broker.
    func queuedErrors(_ apiKey: KafkaAPIKey) throws -> Int {
        try (1...3).reduce(0) { $0 + (try broker.brokerErrorStackCount(brokerID: Int32($1), apiKey: apiKey)) }
    }
}

/// Reads topics from the start to their current end by assignment (no group
/// join: no 3 s wait), with read_committed, all with one consumer.
func readByAssignment(topics: [String], partitions: Int32, bootstrap: String, timeoutMs: Int = 20_000) throws -> [String: [ReadRecord]] {
    var config = KafkaConfig(bootstrapServers: bootstrap)
    config.isolationLevel = .readCommitted
    config.properties["fetch.wait.max.ms"] = "10"
    let consumer = try KafkaConsumer(config: config) { _ in }
    defer { consumer.close() }
    var ends: [TopicPartition: Int64] = [:]
    for t in topics {
        for p in 0..<partitions { ends[TopicPartition(topic: t, partition: p)] = try consumer.watermarkOffsets(topic: t, partition: p).high }
    }
    try consumer.assign(ends.keys.map { TopicPartitionOffset($0, offset: TopicPartitionOffset.beginning) })
    var next: [TopicPartition: Int64] = [:]
    var out: [String: [ReadRecord]] = Dictionary(uniqueKeysWithValues: topics.map { ($0, []) })
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline, ends.contains(where: { next[$0.key, default: 0] < $0.value }) {
        consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
            var headers: [String: String] = [:]
            for h in m.headers() { headers[h.name] = h.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
            out[m.topic, default: []].append(ReadRecord(key: m.key.map { String(decoding: $0, as: UTF8.self) },
                                                        value: m.value.map { Array($0) } ?? [], headers: headers,
                                                        partition: m.partition, offset: m.offset))
            let tp = TopicPartition(topic: m.topic, partition: m.partition)
            next[tp] = max(next[tp, default: 0], m.offset + 1)
        }
        // Offsets without a record (none on the mock, markers on a real broker).
        if let positions = try? consumer.position(Array(ends.keys)) {
            for p in positions where p.offset > next[p.topicPartition, default: 0] { next[p.topicPartition] = p.offset }
        }
    }
    let short = ends.filter { next[$0.key, default: 0] < $0.value }.keys.map(\.description).sorted()
    if !short.isEmpty { throw KafkaError.local("\(short) not read to their end in \(timeoutMs) ms") }
    return out
}

/// Tails `<job>-state` and keeps the newest checkpoint marker of every input
/// partition (as the mock shows them: also those of transactions that later
/// abort, hence `RunningJob.waitUntilDone` also waits for the job to go quiet).
final class MarkerWatch {
    private let consumer: KafkaConsumer
    private(set) var newest: [TopicPartition: CheckpointMarker] = [:]
    private(set) var markersSeen = 0

    init(cluster: FaultCluster) throws {
        var config = KafkaConfig(bootstrapServers: cluster.bootstrap)
        config.isolationLevel = .readCommitted
        config.properties["fetch.wait.max.ms"] = "10"
        consumer = try KafkaConsumer(config: config) { _ in }
        try consumer.assign((0..<cluster.partitions).map {
            TopicPartitionOffset(topic: cluster.stateTopic, partition: $0, offset: TopicPartitionOffset.beginning)
        })
    }

    deinit { consumer.close() }

    func poll() {
        while consumer.poll(maxMessages: 1000, timeoutMs: 0, { m in
            guard let k = m.key, k.first == UInt8(ascii: "m"), let v = m.value,
                  let marker = CheckpointMarker.decode(Array(v)) else { return }
            markersSeen += 1
            newest[TopicPartition(topic: marker.topic, partition: marker.partition)] = marker
        }) > 0 {}
    }

    /// The input's end offsets per partition (what "everything handled" means).
    func ends(of topic: String, partitions: Int32) throws -> [TopicPartition: Int64] {
        var ends: [TopicPartition: Int64] = [:]
        for p in 0..<partitions {
            ends[TopicPartition(topic: topic, partition: p)] = try consumer.watermarkOffsets(topic: topic, partition: p).high
        }
        return ends
    }

    func covers(_ ends: [TopicPartition: Int64]) -> Bool {
        ends.allSatisfy { tp, end in end == 0 || (newest[tp]?.nextOffset ?? -1) >= end }
    }
}

/// A `Job` running in the background of a test.
final class RunningJob: @unchecked Sendable {
    let job: Job
    let cluster: FaultCluster
    private let runner: Task<Void, Error>
    let started = Date()

    /// Runs `spec` (default: the cluster's) with `runtime`.
    init(cluster: FaultCluster, spec: JobSpec? = nil, runtime: RuntimeConfig) {
        var logger = Logger(label: "weir.faults")
        logger.logLevel = ProcessInfo.processInfo.environment["WEIR_TEST_LOG"] == nil ? .critical : .info
        let job = Job(spec: spec ?? cluster.spec, runtime: runtime, logger: logger)
        self.job = job
        self.cluster = cluster
        runner = Task { try await job.run() }
    }

    var restarts: Int { job.restarts.load(ordering: .relaxed) }
    var metrics: MetricsSnapshot { job.metrics }
    /// The longest checkpoint (from its start to its commit) of any slot, ms.
    /// From a checkpoint's start until it was durable (the commit may overlap processing).
    var longestCheckpointMs: Double { job.slotMetrics.compactMap { $0.checkpointDurations.quantileMs(1.0) }.max() ?? 0 }

    /// Waits until records flowed and every slot committed a checkpoint, so a
    /// fault injected next hits a running job with something to go back to.
    func waitForFirstCheckpoints(timeout: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while job.slotMetrics.contains(where: { $0.commits.load(ordering: .relaxed) == 0 }) {
            guard Date() < deadline else { throw KafkaError.local("no checkpoint of every slot within \(timeout) s: \(metrics)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until `condition` holds (the injected fault has hit); fails the test after `timeout`.
    func waitFor(_ what: String, timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else {
                XCTFail("\(what): not within \(timeout) s (metrics \(metrics), restarts \(restarts))", file: file, line: line)
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until a checkpoint marker of every input partition covers the
    /// input's end and the job (and `others`, instances of the same job) has
    /// been quiet (no record consumed, no commit, abort or restart) for
    /// `quietMs`, so no transaction that could still abort and rewind is in flight.
    func waitUntilDone(alongside others: [RunningJob] = [], timeout: Double = 60, quietMs: Int = 600,
                       file: StaticString = #filePath, line: UInt = #line) async throws {
        let all = [self] + others
        func activity() -> [String] { all.map { "\($0.metrics) \($0.restarts)" } }
        let watch = try MarkerWatch(cluster: cluster)
        let ends = try watch.ends(of: cluster.spec.source.topics[0], partitions: cluster.partitions)
        let deadline = Date().addingTimeInterval(timeout)
        var last = activity()
        var quietSince = Date()
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            watch.poll()
            let now = activity()
            if now != last { last = now; quietSince = Date() }
            if watch.covers(ends) && Date().timeIntervalSince(quietSince) * 1000 >= Double(quietMs) { return }
        }
        XCTFail("job did not finish within \(timeout) s: markers \(watch.newest.values.map { "\($0.partition)@\($0.nextOffset)" }), ends \(ends.values.sorted()), jobs \(activity())",
                file: file, line: line)
    }

    /// Stops the job (checkpointing what is open) and waits for `run()`.
    func stop(flush: Bool = false) async throws {
        job.stop(flush: flush)
        try await runner.value
    }

    /// What `run()` ended with, without asking it to stop; after `timeout`
    /// seconds the job is stopped (and `timedOut` says so).
    func outcome(timeout: Double) async -> (result: Result<Void, Error>, timedOut: Bool) {
        let fired = TestFlag()
        let job = self.job
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            fired.set()
            job.stop()
        }
        let result = await runner.result
        watchdog.cancel()
        return (result, fired.isSet)
    }
}

final class TestFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// Durations of a test's phases, for its summary line.
struct PhaseClock: CustomStringConvertible {
    private let start = Date()
    private var last = Date()
    private var phases: [(String, Double)] = []
    mutating func mark(_ phase: String) {
        let now = Date()
        phases.append((phase, now.timeIntervalSince(last)))
        last = now
    }
    var total: Double { Date().timeIntervalSince(start) }
    var description: String {
        String(format: "%.1f s (", total) + phases.map { String(format: "%@ %.1f", $0.0, $0.1) }.joined(separator: ", ") + ")"
    }
}
