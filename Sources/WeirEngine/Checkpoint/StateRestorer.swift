import Logging
import WeirKafka

/// Finds, for input partitions, the newest checkpoint marker in the state topic
/// that a `read_committed` reader can see, and the state chunks it covers.
///
/// All partitions of one assignment are restored in one pass: every state
/// partition they use is read at once, backwards from its end in growing
/// windows, so a restore reads about one snapshot per partition, not the
/// topic's history. Chunks of other checkpoints (older ones, or an unfinished
/// transaction's that the embedded broker shows) are ignored: only the
/// marker's id counts.
///
/// A read that cannot reach the end of a state partition throws: "no
/// checkpoint" is only ever the answer after the whole partition was read, so
/// a slow broker can never make a partition start over with empty state.
public final class StateRestorer {
    public struct Restored {
        public var marker: CheckpointMarker
        public var chunks: [[UInt8]]
        public var bytes: Int { chunks.reduce(0) { $0 + $1.count } }
    }

    /// One input partition to restore, and the state partition its checkpoints are in.
    public struct Request: Hashable, Sendable {
        public var topic: String
        public var partition: Int32
        public var statePartition: Int32
        public init(topic: String, partition: Int32, statePartition: Int32) {
            self.topic = topic; self.partition = partition; self.statePartition = statePartition
        }
        var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
    }

    public struct IncompleteState: Error, CustomStringConvertible {
        public var description: String
    }

    /// The state topic could not be read to its end in time.
    public struct ReadTimeout: Error, CustomStringConvertible {
        public var description: String
    }

    private let consumer: KafkaConsumer
    private let stateTopic: String
    private let logger: Logger
    private let timeoutNanos: UInt64

    /// `timeoutMs`: how long one pass over the state partitions may take before
    /// the restore fails (and the task with it, under its restart strategy).
    public init(kafka: KafkaConfig, stateTopic: String, logger: Logger, timeoutMs: Int = 60_000) throws {
        var config = kafka
        config.groupID = nil
        config.isolationLevel = .readCommitted
        config.clientID = "weir-restore"
        // Reading to a known end: an empty fetch must not park for the default 500 ms.
        config.properties["fetch.wait.max.ms"] = "10"
        consumer = try KafkaConsumer(config: config) { _ in }
        self.stateTopic = stateTopic
        self.logger = logger
        self.timeoutNanos = UInt64(max(1, timeoutMs)) * 1_000_000
    }

    deinit { consumer.close() }

    public func close() { consumer.close() }

    /// nil: no checkpoint for this partition yet.
    public func restore(topic: String, partition: Int32, statePartition: Int32) throws -> Restored? {
        try restore([Request(topic: topic, partition: partition, statePartition: statePartition)])[
            TopicPartition(topic: topic, partition: partition)]
    }

    /// Restores every requested partition; a partition without a checkpoint is absent from the result.
    public func restore(_ requests: [Request]) throws -> [TopicPartition: Restored] {
        var results: [TopicPartition: Restored] = [:]
        var pending = Dictionary(grouping: Set(requests), by: \.statePartition)
        var window: Int64 = 512
        while !pending.isEmpty {
            var ranges: [Int32: ScanRange] = [:]
            for sp in pending.keys {
                let (low, high) = try consumer.watermarkOffsets(topic: stateTopic, partition: sp,
                                                                timeoutMs: Int(timeoutNanos / 1_000_000))
                if high <= low { pending[sp] = nil; continue }   // empty: none of them has a checkpoint
                ranges[sp] = ScanRange(start: max(low, high - window), low: low, high: high)
            }
            if ranges.isEmpty { break }
            var scans: [Int32: PartitionScan] = [:]
            for (sp, reqs) in pending where ranges[sp] != nil { scans[sp] = PartitionScan(reqs) }
            try read(ranges) { sp, offset, key, value in scans[sp]?.add(offset: offset, key: key, value: value) }
            for (sp, range) in ranges {
                guard let scan = scans[sp], let reqs = pending[sp] else { continue }
                var unresolved: [Request] = []
                for req in reqs {
                    switch scan.resolve(req) {
                    case .restored(let r):
                        results[req.topicPartition] = r
                    case .noMarker where range.start == range.low:
                        break   // the whole partition was read: no checkpoint
                    case .incomplete(let marker, let readable) where range.start == range.low:
                        throw IncompleteState(description: "checkpoint \(marker.checkpointID) of \(req.topic)[\(req.partition)] names \(marker.chunkCount) state chunks, \(readable) are readable in \(stateTopic)[\(sp)]")
                    default:
                        unresolved.append(req)   // read further back
                    }
                }
                pending[sp] = unresolved.isEmpty ? nil : unresolved
            }
            window *= 4
        }
        return results
    }

    struct ScanRange { var start: Int64; var low: Int64; var high: Int64 }

    /// The markers and chunks of the requested input partitions found in one state partition.
    struct PartitionScan {
        enum Outcome { case restored(Restored), noMarker, incomplete(CheckpointMarker, readable: Int) }
        private var markerOwner: [[UInt8]: TopicPartition] = [:]
        private var chunkPrefixes: [(prefix: [UInt8], owner: TopicPartition)] = []
        private var newest: [TopicPartition: (offset: Int64, marker: CheckpointMarker)] = [:]
        private var chunks: [TopicPartition: [(offset: Int64, chunk: StateChunk)]] = [:]

        init(_ requests: [Request]) {
            for r in requests {
                markerOwner[CheckpointMarker.key(topic: r.topic, partition: r.partition)] = r.topicPartition
                chunkPrefixes.append((StateChunk.keyPrefix(topic: r.topic, partition: r.partition), r.topicPartition))
            }
        }

        mutating func add(offset: Int64, key: [UInt8], value: [UInt8]) {
            if let tp = markerOwner[key] {
                if let m = CheckpointMarker.decode(value), (newest[tp]?.offset ?? .min) < offset { newest[tp] = (offset, m) }
            } else if let owner = chunkPrefixes.first(where: { key.starts(with: $0.prefix) })?.owner,
                      let c = StateChunk.decode(value) {
                chunks[owner, default: []].append((offset, c))
            }
        }

        func resolve(_ req: Request) -> Outcome {
            let tp = req.topicPartition
            guard let (offset, marker) = newest[tp] else { return .noMarker }
            if marker.chunkCount == 0 { return .restored(Restored(marker: marker, chunks: [])) }
            // The marker's own chunks: same id, before it; the latest copy of each index.
            var byIndex: [UInt32: [UInt8]] = [:]
            for (o, c) in chunks[tp] ?? [] where o < offset && c.checkpointID == marker.checkpointID && c.index < marker.chunkCount {
                byIndex[c.index] = c.payload
            }
            guard byIndex.count == Int(marker.chunkCount) else { return .incomplete(marker, readable: byIndex.count) }
            return .restored(Restored(marker: marker, chunks: (0..<marker.chunkCount).compactMap { byIndex[$0] }))
        }
    }

    /// Reads [start, high) of each state partition in `ranges` at once, calling
    /// `body` per record; throws if they are not all read within the timeout.
    private func read(_ ranges: [Int32: ScanRange], _ body: (Int32, Int64, [UInt8], [UInt8]) -> Void) throws {
        try consumer.assign(ranges.map { TopicPartitionOffset(topic: stateTopic, partition: $0.key, offset: $0.value.start) })
        let parts = ranges.keys.map { TopicPartition(topic: stateTopic, partition: $0) }
        var open = Set(ranges.keys)
        let started = monotonicNanos()
        var lastReport = started, records = 0, bytes = 0
        let total = ranges.values.reduce(Int64(0)) { $0 + ($1.high - $1.start) }
        while !open.isEmpty {
            consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
                // Records written since the range was taken belong to no checkpoint of ours.
                guard let r = ranges[m.partition], m.offset < r.high else { return }
                records += 1
                bytes += (m.value?.count ?? 0) + (m.key?.count ?? 0)
                body(m.partition, m.offset, m.key.map { Array($0) } ?? [], m.value.map { Array($0) } ?? [])
            }
            // Large state takes a while: say how far the restore has come.
            if monotonicNanos() - lastReport > 2_000_000_000 {
                lastReport = monotonicNanos()
                logger.info("restoring state", metadata: [
                    "topic": "\(stateTopic)", "records": "\(records) of \(total)",
                    "MiB": "\(String(format: "%.1f", Double(bytes) / 1_048_576))",
                    "partitionsLeft": "\(open.count)",
                ])
            }
            // The position, not the last offset seen: transaction markers and compaction leave gaps.
            for p in try consumer.position(parts) where p.offset >= (ranges[p.partition]?.high ?? .max) {
                open.remove(p.partition)
            }
            if !open.isEmpty && monotonicNanos() - started > timeoutNanos {
                let left = open.sorted().map { "\(stateTopic)[\($0)] up to offset \(ranges[$0]?.high ?? 0)" }
                throw ReadTimeout(description: "restoring state: could not read \(left.joined(separator: ", ")) within \(timeoutNanos / 1_000_000) ms")
            }
        }
        try consumer.assign([])
    }
}
