import ArgumentParser
import Foundation
import Glibc
import Logging
import WeirEngine
import WeirKafka
import WeirPipelines

/// `weir bench`: the JSON filter/map pipeline over N events on the embedded
/// broker, reported as events/s from the first record to the last, the same
/// way the C baseline (`rdkafka-pipe run`) reports.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure a pipeline's throughput on the embedded (or a given) broker.")

    @Argument(help: "The pipeline file.") var pipeline = "pipelines/bench-filter-map.yaml"
    @Option(help: "Events to write and process.") var events = 1_000_000
    @Option(help: "Use this broker (e.g. from `weir broker`) instead of an in-process one.") var bootstrap: String?
    @Option(help: "Partitions of the topics when they are created here (default: 16, or as many as the events need on the embedded broker).") var partitions: Int?
    @Option(help: "Tasks (overrides the pipeline).") var parallelism: Int?
    @Option(help: "Checkpoint (transaction) interval in ms.") var checkpointInterval = 1000
    @Flag(help: "Do not write events first (the source topic already holds them).") var noFill = false

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // progress lines reach a pipe as they happen
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label); h.logLevel = .warning; return h
        }
        let p = try loadPipelineOrExit(pipeline)
        if let stage = p.repartition {
            // One job is measured; a second stage would read what the first has not committed yet.
            printError("weir bench: \(pipeline) repartitions through \(stage.topic); bench measures pipelines that run as one job (declare source.kafka.keyedBy when the topic is keyed)")
            throw ExitCode(1)
        }
        var spec = p.job
        if let parallelism { spec.parallelism = parallelism }
        spec.source.group = "\(spec.source.group)-\(getpid())"
        var broker: EmbeddedBroker?
        let servers: String
        let topic = spec.source.topics[0]
        if let bootstrap {
            servers = bootstrap
            if !noFill { try refuseIfTheBrokerCannotHoldTheEvents(topic: topic, bootstrap: bootstrap) }
        } else {
            let needed = EmbeddedBrokerCapacity.partitionsNeeded(events: events, bytesPerEvent: BenchEvents.approximateBytes)
            let count = partitions ?? max(16, needed)
            if let message = EmbeddedBrokerCapacity.shortfall(topic: topic, partitions: count, events: events,
                                                              bytesPerEvent: BenchEvents.approximateBytes,
                                                              fix: "Leave out --partitions, give --partitions \(needed) or more, or write fewer --events.") {
                printError("weir bench: \(message)"); throw ExitCode(1)
            }
            let b = try EmbeddedBroker(brokers: 1)
            for t in Set(spec.topics) { try b.createTopic(t, partitions: count) }
            broker = b
            servers = b.bootstrapServers
        }
        defer { broker?.close() }
        let kafka = KafkaConfig(bootstrapServers: servers)
        if !noFill {
            let t0 = Date()
            try BenchEvents.write(count: events, topic: spec.source.topics[0], kafka: kafka)
            print(String(format: "FILL %d JSON msgs: %.0f msgs/s", events, Double(events) / Date().timeIntervalSince(t0)))
        }
        let job = Job(spec: spec, runtime: RuntimeConfig(kafka: kafka, instanceID: "bench-\(getpid())", checkpointIntervalMs: checkpointInterval))
        let start = monotonicNanos()
        let runner = Task { try await job.run() }
        var done: UInt64 = 0
        var lastProgress = start, lastCount = 0
        while true {
            try await Task.sleep(for: .milliseconds(2))
            let n = job.metrics.processed
            if n >= events { done = monotonicNanos(); break }
            let now = monotonicNanos()
            if n == lastCount && now - lastProgress > 30_000_000_000 {
                printError("weir bench: stalled at \(n)/\(events): no record processed for 30 s (is the broker still up, and do its topics hold all the events?)")
                job.stop(); throw ExitCode(1)
            }
            if n != lastCount { lastCount = n; lastProgress = now }
        }
        job.stop()
        try await runner.value
        let first = job.firstRecordNanos ?? start
        let secs = Double(done - first) / 1e9
        let m = job.metrics
        print(String(format: "BENCH weir %@ (parallelism %d): %d events, join %.2fs, then %.3fs => %.0f events/s (out %d, filtered %d, dead-lettered %d, commits %d)",
                     spec.name, spec.parallelism, events, Double(first - start) / 1e9, secs, Double(events) / secs,
                     m.emitted, m.filtered, m.deadLettered, m.commits))
    }
}

extension BenchCommand {
    /// Against `weir broker`, the topic was created there (or auto-creates with 4
    /// partitions): stop at once when it cannot hold the events, instead of
    /// writing them, losing the oldest and waiting for them.
    private func refuseIfTheBrokerCannotHoldTheEvents(topic: String, bootstrap: String) throws {
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: bootstrap))
        defer { admin.close() }
        if let message = try admin.embeddedBrokerShortfall(topic: topic, events: events, bytesPerEvent: BenchEvents.approximateBytes, fix: {
            "Start the broker with `weir broker --topic \(topic):\($0)` (and the pipeline's other topics likewise), or write fewer --events."
        }) {
            printError("weir bench: \(message)"); throw ExitCode(1)
        }
    }
}

/// The C baseline's event shape (`rdkafka-pipe fill`), so both runs parse the same documents.
enum BenchEvents {
    /// Key and value of one event, with its share of record headers, rounded up (values are 99-103 bytes).
    static let approximateBytes = 120

    static func write(count: Int, topic: String, kafka: KafkaConfig) throws {
        var config = kafka
        config.properties["linger.ms"] = "5"
        config.properties["queue.buffering.max.messages"] = "1000000"
        let producer = try KafkaProducer(config: config)
        let handle = try producer.topic(topic)
        for i in 0..<count {
            var key = "u\(i % 10_000)"   // the user_id (10,000 users, as the Flink workload): keyBy(user_id) needs no repartitioning
            var value = "{\"user_id\":\"u\(i % 10_000)\",\"amount\":\(i % 1000).\(i % 100 < 10 ? "0" : "")\(i % 100),\"ts\":\(1_764_064_800_123 + i),\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"web\"}"
            try key.withUTF8 { k in try value.withUTF8 { v in
                try producer.produce(handle, key: UnsafeRawBufferPointer(k), value: UnsafeRawBufferPointer(v))
            } }
            if i & 1023 == 0 { producer.poll(timeoutMs: 0) }
        }
        try producer.flush(timeoutMs: 120_000)
        if producer.deliveryStats.failed > 0 {
            throw KafkaError.local("\(producer.deliveryStats.failed) bench events were not delivered")
        }
    }
}
