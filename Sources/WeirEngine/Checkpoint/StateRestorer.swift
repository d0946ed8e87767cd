import Logging
import WeirKafka

/// Finds, for one input partition, the newest checkpoint marker in the state
/// topic that a `read_committed` reader can see, and the state chunks it covers.
///
/// It reads the state partition backwards in growing windows from its end, so
/// a restore reads about one snapshot, not the topic's history. Chunks of other
/// checkpoints (older ones, or an unfinished transaction's that the embedded
/// broker shows) are ignored: only the marker's id counts.
public final class StateRestorer {
    public struct Restored {
        public var marker: CheckpointMarker
        public var chunks: [[UInt8]]
        public var bytes: Int { chunks.reduce(0) { $0 + $1.count } }
    }

    public struct IncompleteState: Error, CustomStringConvertible {
        public var description: String
    }

    private let consumer: KafkaConsumer
    private let stateTopic: String
    private let logger: Logger

    public init(kafka: KafkaConfig, stateTopic: String, logger: Logger) throws {
        var config = kafka
        config.groupID = nil
        config.isolationLevel = .readCommitted
        config.clientID = "weir-restore"
        consumer = try KafkaConsumer(config: config) { _ in }
        self.stateTopic = stateTopic
        self.logger = logger
    }

    deinit { consumer.close() }

    public func close() { consumer.close() }

    /// nil: no checkpoint for this partition yet.
    public func restore(topic: String, partition: Int32, statePartition: Int32) throws -> Restored? {
        let (low, high) = try consumer.watermarkOffsets(topic: stateTopic, partition: statePartition)
        guard high > low else { return nil }
        let markerKey = CheckpointMarker.key(topic: topic, partition: partition)
        let chunkPrefix = StateChunk.keyPrefix(topic: topic, partition: partition)
        var window: Int64 = 512
        while true {
            let start = max(low, high - window)
            var newest: (offset: Int64, marker: CheckpointMarker)?
            var chunks: [(offset: Int64, chunk: StateChunk)] = []
            try read(statePartition: statePartition, from: start, to: high) { offset, key, value in
                if key == markerKey {
                    if let m = CheckpointMarker.decode(value), newest == nil || offset > newest!.offset { newest = (offset, m) }
                } else if key.starts(with: chunkPrefix), let c = StateChunk.decode(value) {
                    chunks.append((offset, c))
                }
            }
            if let (offset, marker) = newest {
                if marker.chunkCount == 0 { return Restored(marker: marker, chunks: []) }
                // The marker's own chunks: same id, before it; the latest copy of each index.
                var byIndex: [UInt32: [UInt8]] = [:]
                for (o, c) in chunks where o < offset && c.checkpointID == marker.checkpointID && c.index < marker.chunkCount {
                    byIndex[c.index] = c.payload
                }
                if byIndex.count == Int(marker.chunkCount) {
                    return Restored(marker: marker, chunks: (0..<marker.chunkCount).compactMap { byIndex[$0] })
                }
                if start == low {
                    throw IncompleteState(description: "checkpoint \(marker.checkpointID) of \(topic)[\(partition)] names \(marker.chunkCount) state chunks, \(byIndex.count) are readable in \(stateTopic)[\(statePartition)]")
                }
            } else if start == low {
                return nil
            }
            window *= 4
        }
    }

    /// Reads [from, to) of one state partition, calling `body` per record.
    private func read(statePartition: Int32, from: Int64, to: Int64,
                      _ body: (Int64, [UInt8], [UInt8]) -> Void) throws {
        try consumer.assign([TopicPartitionOffset(topic: stateTopic, partition: statePartition, offset: from)])
        var next = from
        var idleSince = monotonicNanos()
        while next < to {
            let n = consumer.poll(maxMessages: 1000, timeoutMs: 100) { m in
                next = max(next, m.offset + 1)
                body(m.offset, m.key.map { Array($0) } ?? [], m.value.map { Array($0) } ?? [])
            }
            if n > 0 { idleSince = monotonicNanos() }
            // Gaps (transaction markers, compaction) leave `next` short of `to`; the position knows better.
            if let p = try? consumer.position([TopicPartition(topic: stateTopic, partition: statePartition)]).first,
               p.offset >= to { break }
            if monotonicNanos() - idleSince > 2_000_000_000 { break }
        }
    }
}
