/// The life of one part file (Flink's FileSink protocol, docs/parquet.md):
///
///     inProgress ──roll/checkpoint──▶ closed ──checkpoint N──▶ pending(N) ──N committed──▶ committed
///          │                            │                          │
///          └────────────── abort / restore without a marker covering it ──▶ discarded
///
/// `inProgress`: being written, hidden in the staging directory. `closed`:
/// complete and fsynced, not yet in a checkpoint (rolled on size or age).
/// `pending(N)`: named for checkpoint N, listed in N's markers, waiting for
/// N's transaction. `committed`: renamed to its visible name. Only a pending
/// file can become visible, and only after its checkpoint committed.
public struct PartFileLifecycle: Equatable, Sendable {
    public enum State: Equatable, Sendable {
        case inProgress
        case closed
        case pending(checkpoint: UInt64)
        case committed(checkpoint: UInt64)
        case discarded
    }

    public struct InvalidTransition: Error, Equatable, CustomStringConvertible {
        public var from: State
        public var event: String
        public var description: String { "part file: cannot \(event) a file that is \(from)" }
    }

    public private(set) var state: State = .inProgress
    public init() {}

    /// The writer finished the file (footer written, fsynced).
    public mutating func close() throws(InvalidTransition) {
        guard state == .inProgress else { throw InvalidTransition(from: state, event: "close") }
        state = .closed
    }

    /// Checkpoint `id` takes the closed file: it gets its final name and goes into the markers.
    public mutating func assign(checkpoint id: UInt64) throws(InvalidTransition) {
        guard state == .closed else { throw InvalidTransition(from: state, event: "assign to checkpoint \(id)") }
        state = .pending(checkpoint: id)
    }

    /// Checkpoint `id` committed: the file may be renamed to visible. True when
    /// this file belongs to it (files of later checkpoints stay pending).
    public mutating func committed(checkpoint id: UInt64) -> Bool {
        guard case .pending(let mine) = state, mine <= id else { return false }
        state = .committed(checkpoint: mine)
        return true
    }

    /// The transaction that would have covered it was aborted (or never
    /// committed): the file is deleted. A committed file is never discarded.
    public mutating func discard() throws(InvalidTransition) {
        if case .committed = state { throw InvalidTransition(from: state, event: "discard") }
        state = .discarded
    }

    public var isWritable: Bool { state == .inProgress }
}
