#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeirKafka

/// What a checkpoint writes for one input partition, taken on the task thread
/// at the checkpoint: where reading resumes, its event time, the files sink's
/// pending files, and the operator's state.
struct PartitionCheckpoint {
    var partition: TopicPartition
    /// The `<job>-state` partition its chunks and marker go to.
    var statePartition: Int32
    var nextOffset: Int64
    var watermark: Int64
    var maxEventTime: Int64?
    var files: [String]
    var state: StateCapture?
}

/// Writes one checkpoint into the open transaction: every partition's state
/// chunks, then (after `beforeMarkers`) every marker. With deferred captures
/// the state is serialized here, so this is the asynchronous phase of a
/// checkpoint: it runs on the task's commit worker while the task goes on
/// processing (its output held), touching only the producer, which the task
/// leaves alone until the work is done, and what was captured.
final class CheckpointWrite: @unchecked Sendable {
    struct Written { var marker: CheckpointMarker; var chunks: [[UInt8]] }

    let checkpointID: UInt64
    private let partitions: [PartitionCheckpoint]
    private let producer: KafkaProducer
    private let stateTopic: KafkaTopicHandle
    private let beforeMarkers: () throws -> Void
    /// When the checkpoint began (task thread), for its duration.
    let startedNanos: UInt64
    /// The pause the task took for it (capture and hand-over), set by the task.
    var pauseNanos: UInt64 = 0
    /// Set by `run`: each partition's marker and chunks (what an abort goes back to).
    private(set) var written: [TopicPartition: Written] = [:]
    /// Set by `run`: the time spent serializing and producing state and markers.
    private(set) var writeNanos: UInt64 = 0
    /// Fault injection for the crash test (`WEIR_CHECKPOINT_TEST_WRITE_DELAY_MS`):
    /// waits this long between the chunks and the markers, so that kills land
    /// in the middle of an asynchronous snapshot. 0 in production.
    /// With it, the start and end of each write go to stderr, so the test can
    /// tell which kills landed mid-write (`testTask` names the task there).
    var delayBeforeMarkersMs: UInt32 = 0
    var testTask = ""
    static let testDelayMs: UInt32 = getenv("WEIR_CHECKPOINT_TEST_WRITE_DELAY_MS").flatMap { UInt32(String(cString: $0)) } ?? 0

    init(checkpointID: UInt64, partitions: [PartitionCheckpoint], producer: KafkaProducer, stateTopic: KafkaTopicHandle,
         startedNanos: UInt64, beforeMarkers: @escaping () throws -> Void) {
        self.checkpointID = checkpointID; self.partitions = partitions; self.producer = producer
        self.stateTopic = stateTopic; self.startedNanos = startedNanos; self.beforeMarkers = beforeMarkers
    }

    func run() throws {
        let started = monotonicNanos()
        if delayBeforeMarkersMs > 0 { fputs("weir-test: checkpoint-write begin \(testTask) \(checkpointID)\n", stderr) }
        var markers: [(Int32, CheckpointMarker)] = []
        markers.reserveCapacity(partitions.count)
        for p in partitions {
            let tp = p.partition
            let chunks = p.state?.chunks() ?? []
            for (i, payload) in chunks.enumerated() {
                let chunk = StateChunk(checkpointID: checkpointID, index: UInt32(i), count: UInt32(chunks.count), payload: payload)
                try produce(p.statePartition, StateChunk.key(topic: tp.topic, partition: tp.partition, index: UInt32(i)), chunk.encoded())
            }
            let marker = CheckpointMarker(checkpointID: checkpointID, topic: tp.topic, partition: tp.partition,
                                          nextOffset: p.nextOffset, watermark: p.watermark, maxEventTime: p.maxEventTime,
                                          chunkCount: UInt32(chunks.count), files: p.files)
            markers.append((p.statePartition, marker))
            written[tp] = Written(marker: marker, chunks: chunks)
        }
        if delayBeforeMarkersMs > 0 { usleep(delayBeforeMarkersMs * 1000) }
        try beforeMarkers()
        for (sp, marker) in markers {
            try produce(sp, CheckpointMarker.key(topic: marker.topic, partition: marker.partition), marker.encoded())
        }
        writeNanos = monotonicNanos() - started
        if delayBeforeMarkersMs > 0 { fputs("weir-test: checkpoint-write end \(testTask) \(checkpointID)\n", stderr) }
    }

    private func produce(_ partition: Int32, _ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try producer.produce(stateTopic, partition: partition, key: k, value: v) }
        }
    }
}
