/// One partition's state taken at a checkpoint, written out later: on the
/// task's commit worker while the task goes on processing (the asynchronous
/// phase of a checkpoint, as in Flink), or at once. It holds either a private
/// copy of the state that nothing else touches, or the snapshot bytes already
/// written (operators that cannot copy their state cheaply).
public struct StateCapture: @unchecked Sendable {
    private let write: () -> [UInt8]
    /// True when the bytes are written by `chunks()`, not at capture.
    public let isDeferred: Bool

    /// The snapshot, already written.
    public init(bytes: [UInt8]) {
        write = { bytes }
        isDeferred = false
    }

    /// A snapshot written when asked for, from a copy owned by `write`.
    init(deferred write: @escaping () -> [UInt8]) {
        self.write = write
        isDeferred = true
    }

    /// The snapshot cut into chunks below `maxChunkBytes` (docs/state-format.md).
    /// Safe on any thread: it reads only what it captured.
    public func chunks(maxChunkBytes: Int = StateSnapshot.defaultMaxChunkBytes) -> [[UInt8]] {
        let blob = write()
        return (try? StateSnapshot.split(blob, maxChunkBytes: maxChunkBytes)) ?? [blob]
    }
}
