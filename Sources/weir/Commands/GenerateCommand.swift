import ArgumentParser
import Foundation
import WeirKafka

/// `weir generate`: writes sample click events to a topic (and optionally to a
/// JSON-lines file, for independent references in tests and benchmarks).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write sample click events (keyed by user_id) to a Kafka topic.")

    @Option(help: "Bootstrap servers.") var bootstrap: String
    @Option(help: "Topic to write to.") var topic = "input-topic"
    @Option(help: "Number of events.") var events = 10_000
    @Option(help: "Random seed (the same seed gives the same events).") var seed: UInt64 = 42
    @Option(help: "Every Nth event is malformed JSON (0: none).") var malformedEvery = 200
    @Option(help: "Distinct user_ids (keys).") var users = 10_000
    @Option(help: "Also write the events, one JSON per line, to this file.") var file: String?
    @Option(help: "Write at most this many events per second (0: as fast as possible), so input keeps flowing while a test runs.")
    var rate = 0
    @Option(help: "Continue an earlier run: number the events from here, so their times go on where it stopped (3 ms per event).")
    var after = 0

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must be 0 or more") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more") }
        guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
    }

    func run() throws {
        try refuseIfTheBrokerCannotHoldTheEvents()
        var lines: [String]? = file == nil ? nil : []
        try SampleWriter.write(count: events, to: topic, kafka: KafkaConfig(bootstrapServers: bootstrap),
                               seed: seed, malformedEvery: malformedEvery, users: users, ratePerSecond: rate, firstIndex: after) { _, value in lines?.append(value) }
        if let file, let lines {
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        print("wrote \(events) events to \(topic)")
    }
}

extension GenerateCommand {
    /// On the embedded broker (`weir broker`), a partition keeps at most 5 MiB and
    /// drops its oldest records beyond that: refuse at once rather than write
    /// events that a job (or its restore after a crash) would wait for in vain.
    private func refuseIfTheBrokerCannotHoldTheEvents() throws {
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: bootstrap))
        defer { admin.close() }
        // The topic may hold earlier events already (--after continues a run).
        if let message = try admin.embeddedBrokerShortfall(topic: topic, events: events + after, bytesPerEvent: SampleClicks.approximateBytes, fix: {
            "Start the broker with `weir broker --topic \(topic):\($0)`, or write fewer --events."
        }) {
            printError("weir generate: \(message)")
            throw ExitCode(1)
        }
    }
}

/// `weir consume`: reads a topic from the beginning (read_committed) and prints
/// `key<TAB>value` lines until it is idle — a small kcat for tests and debugging.
struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume", abstract: "Print a topic's committed records as key<TAB>value lines.")

    @Option(help: "Bootstrap servers.") var bootstrap: String
    @Option(help: "Topic to read.") var topic: String
    @Option(help: "Stop after this long without new records (ms).") var idleMs = 3000

    func run() throws {
        setvbuf(stdout, nil, _IOFBF, 1 << 16)
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: bootstrap))
        let partitions = try admin.partitionCount(topic: topic) ?? 1
        admin.close()
        var config = KafkaConfig(bootstrapServers: bootstrap)
        config.isolationLevel = .readCommitted
        let consumer = try KafkaConsumer(config: config) { _ in }
        defer { consumer.close() }
        let tps = (0..<partitions).map { TopicPartition(topic: topic, partition: Int32($0)) }
        try consumer.assign(tps.map { TopicPartitionOffset($0, offset: TopicPartitionOffset.beginning) })
        // Done when every partition is read to the end it had at the start; idle time counts
        // only once every partition has been fetched (a slow first fetch is not an empty topic).
        let ends = try tps.map { try consumer.watermarkOffsets(topic: topic, partition: $0.partition).high }
        let started = Date()
        var last = Date()
        while true {
            let n = consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
                let key = m.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let value = m.value.map { String(decoding: $0, as: UTF8.self) } ?? ""
                print("\(key)\t\(value)")
            }
            if n > 0 { last = Date() }
            let positions = try consumer.position(tps).map(\.offset)
            if zip(positions, ends).allSatisfy({ $1 == 0 || $0 >= $1 }) { break }
            let fetched = positions.allSatisfy { $0 != TopicPartitionOffset.invalid }
            if (fetched || Date().timeIntervalSince(started) > 30) && Date().timeIntervalSince(last) * 1000 >= Double(idleMs) { break }
        }
        fflush(stdout)
    }
}
