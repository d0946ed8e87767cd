import Synchronization

/// Where job definitions live. `KafkaJobStore` is the jobs topic, shared by
/// every instance of a service group; `LocalJobStore` keeps them in memory for
/// one process (`weir dev`, tests).
public protocol JobStore: Sendable {
    /// Reads everything stored so far (the latest record per key, in order).
    func catchUp() async throws -> [JobsTopicRecord]
    /// Calls `onRecord` for every record written after the catch-up, by any
    /// instance (this one too), until `close`.
    func follow(_ onRecord: @escaping @Sendable (JobsTopicRecord) -> Void) async
    /// Writes a record; returns once it is stored.
    func write(_ record: JobsTopicRecord) async throws
    func close()
}

/// Job definitions in memory: a write is seen by `follow` at once (writes
/// made between the catch-up and `follow` are delivered when it starts).
public final class LocalJobStore: JobStore {
    private struct State {
        var records: [JobsTopicRecord] = []
        var caughtUp = 0
        var follower: (@Sendable (JobsTopicRecord) -> Void)?
        var closed = false
    }
    private let state = Mutex(State())
    /// Deliveries in write order, one at a time.
    private let delivery = Mutex(())
    private let closedStream: AsyncStream<Void>
    private let closedContinuation: AsyncStream<Void>.Continuation

    public init(_ records: [JobsTopicRecord] = []) {
        state.withLock { $0.records = records }
        (closedStream, closedContinuation) = AsyncStream.makeStream()
    }

    public func catchUp() async throws -> [JobsTopicRecord] {
        state.withLock { s in s.caughtUp = s.records.count; return s.records }
    }

    public func follow(_ onRecord: @escaping @Sendable (JobsTopicRecord) -> Void) async {
        let open = delivery.withLock { _ -> Bool in
            let (pending, open) = state.withLock { s -> ([JobsTopicRecord], Bool) in
                s.follower = onRecord
                return (Array(s.records[s.caughtUp...]), !s.closed)
            }
            pending.forEach(onRecord)
            return open
        }
        guard open else { return }
        for await _ in closedStream {}
    }

    public func write(_ record: JobsTopicRecord) async throws {
        delivery.withLock { _ in
            let follower = state.withLock { s in s.records.append(record); return s.follower }
            follower?(record)
        }
    }

    public func close() {
        state.withLock { $0.closed = true; $0.follower = nil }
        closedContinuation.finish()
    }
}
