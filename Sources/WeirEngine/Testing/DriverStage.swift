/// One job of the pipeline under test (one stage; two when `keyBy`
/// repartitions): its record chain — the same `RecordChain` a Kafka task or a
/// file job runs — and the partitions it reads, as one task owning all of them.
final class DriverStage {
    let job: JobSpec
    private(set) var chain: RecordChain
    let sink: DriverSink
    /// The source topics, and how many partitions each has.
    let topics: [String]
    let partitionCount: Int
    /// File source: one partition per input file, all keyed state in one state partition.
    let readsFiles: Bool
    /// Next offset of each source partition, by topic index.
    private(set) var nextOffsets: [[Int64]]

    init(job: JobSpec, partitions: Int, forwardPartitions: Int?, clock: ManualClock) throws {
        self.job = job
        topics = job.readsFiles ? ["(file)"] : job.source.topics
        partitionCount = partitions
        readsFiles = job.readsFiles
        sink = DriverSink(job: job, forwardPartitions: forwardPartitions, clock: clock)
        nextOffsets = Array(repeating: Array(repeating: 0, count: partitions), count: max(1, topics.count))
        chain = try Self.makeChain(job, clock: clock, readsFiles: readsFiles)
        forEachPartition { _, _, index in chain.addPartition(index, nowMs: clock.now) }
    }

    static func makeChain(_ job: JobSpec, clock: ManualClock, readsFiles: Bool) throws -> RecordChain {
        let chain = try RecordChain(job: job, clock: clock)
        chain.singleStatePartition = readsFiles   // as FileJob runs it
        return chain
    }

    /// Where the chain tracks a source partition, as `StreamTask` does: the
    /// partition, interleaved by topic in a first stage reading several topics.
    func trackerIndex(topicIndex: Int, partition: Int) -> Int {
        guard chain.announcesWatermarks else { return partition }
        return WatermarkAnnouncer.trackerIndex(topicIndex: topicIndex, partition: Int32(partition), topicCount: topics.count)
    }

    func forEachPartition(_ body: (_ topicIndex: Int, _ partition: Int, _ trackerIndex: Int) throws -> Void) rethrows {
        for t in topics.indices {
            for p in 0..<partitionCount { try body(t, p, trackerIndex(topicIndex: t, partition: p)) }
        }
    }

    /// Gives the record its offset in its partition.
    func assignOffset(_ r: inout TestRecord, topicIndex: Int) {
        r.offset = nextOffsets[topicIndex][r.partition]
        nextOffsets[topicIndex][r.partition] += 1
    }

    /// What this stage announces to the next one (first stage of a repartitioned event-time pipeline).
    func announcement() -> WatermarkAnnouncement? {
        guard chain.announcesWatermarks else { return nil }
        var owned: [(topicIndex: Int, partition: Int32)] = []
        forEachPartition { t, p, _ in owned.append((t, Int32(p))) }
        return WatermarkAnnouncer.announcement(chain.watermarks, owned: owned,
                                               partitionCounts: Array(repeating: Int32(partitionCount), count: topics.count))
    }

    /// A checkpoint and a restart: every partition's operator state and max
    /// event time go through the checkpoint's wire form (`StateChunk`,
    /// `CheckpointMarker`) into a chain built afresh from the job, as a task
    /// restores a partition it is assigned after a crash.
    func checkpointAndRestore(checkpointID: UInt64, clock: ManualClock) throws -> RecordChain.Counts {
        let old = chain
        var saved: [(marker: CheckpointMarker, chunks: [[UInt8]], index: Int)] = []
        try forEachPartition { t, p, index in
            let chunks = old.op?.snapshotChunks(partition: p) ?? []
            let marker = CheckpointMarker(checkpointID: checkpointID, topic: topics[t], partition: Int32(p),
                                          nextOffset: nextOffsets[t][p], watermark: old.watermarks.watermark,
                                          maxEventTime: old.watermarks.maxEventTime(index), chunkCount: UInt32(chunks.count))
            // Through the bytes a checkpoint writes, so the format is part of what is tested.
            var read: [[UInt8]] = []
            for (i, c) in chunks.enumerated() {
                let written = StateChunk(checkpointID: checkpointID, index: UInt32(i), count: UInt32(chunks.count), payload: c).encoded()
                guard let chunk = StateChunk.decode(written) else { throw DriverError("a state chunk did not read back") }
                read.append(chunk.payload)
            }
            guard let m = CheckpointMarker.decode(marker.encoded()) else { throw DriverError("a checkpoint marker did not read back") }
            saved.append((m, read, index))
        }
        let counts = old.takeCounts()
        let fresh = try Self.makeChain(job, clock: clock, readsFiles: readsFiles)
        for s in saved {
            if let op = fresh.op { try op.restore(partition: Int(s.marker.partition), chunks: s.chunks) }
            fresh.addPartition(s.index, nowMs: clock.now, restoredMaxEventTime: s.marker.maxEventTime)
        }
        old.op?.close()
        chain = fresh
        return counts
    }
}

/// The driver was used in a way the pipeline cannot take (a partition it
/// does not have, a watermark for a processing-time pipeline, ...).
public struct DriverError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
