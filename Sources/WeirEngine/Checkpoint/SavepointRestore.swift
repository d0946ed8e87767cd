import Synchronization

/// A savepoint a job starts from: each partition takes its state from it once,
/// at its first assignment; later assignments (rebalances, restarts) restore
/// from the checkpoints written since, as Flink does.
public final class SavepointRestore: Sendable {
    public let savepoint: Savepoint
    private let applied = Mutex<Set<Savepoint.TopicPartitionKey>>([])

    public init(_ savepoint: Savepoint) { self.savepoint = savepoint }

    public func take(topic: String, partition: Int32) -> (Savepoint.PartitionState, [[UInt8]])? {
        let key = Savepoint.TopicPartitionKey(topic: topic, partition: partition)
        let first = applied.withLock { $0.insert(key).inserted }
        return first ? savepoint.state(topic: topic, partition: partition) : nil
    }

    /// Refuses a savepoint whose state the job's operator cannot read (key
    /// fields, window or time domain changed, or an aggregate changed its
    /// function or input; docs/state-format.md, "Compatibility"): checked
    /// before anything starts, by restoring each partition into a scratch operator.
    public func checkCompatible(with job: JobSpec) throws {
        let withState = savepoint.manifest.partitions.filter { !$0.files.isEmpty }
        guard let stage = job.stateful else {
            if !withState.isEmpty {
                throw Savepoint.SavepointError(description: "the savepoint holds keyed state but pipeline \(job.name) has no keyed step (keyBy/window/reduce)")
            }
            return
        }
        let op = try stage.makeOperator()
        defer { op.close() }
        for p in withState {
            let chunks = savepoint.state(topic: p.topic, partition: p.partition)?.1 ?? []
            do {
                try op.restore(partition: Int(p.partition), chunks: chunks)
            } catch {
                throw Savepoint.SavepointError(description: "the savepoint's state of \(p.topic)[\(p.partition)] cannot be restored into pipeline \(job.name): \(error)")
            }
            op.dropPartition(Int(p.partition))
        }
        let sources = Set(job.source.topics)
        if let other = savepoint.manifest.partitions.first(where: { !sources.contains($0.topic) }) {
            throw Savepoint.SavepointError(description: "the savepoint has offsets of topic \(other.topic), which pipeline \(job.name) does not read")
        }
    }
}
