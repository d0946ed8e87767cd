/// The state machine of one job's `JobStatus`: what happened to the job moves
/// it; a move the table in `JobStatus` does not allow is refused (and the
/// status stays), so a late report from a task cannot revive a cancelled job.
/// Each status keeps the time it was entered (Flink's `timestamps`).
public struct JobLifecycle: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// Every task of the job is running.
        case started
        /// A task failed; `restartAllowed` is the restart strategy's answer.
        case taskFailed(restartAllowed: Bool)
        /// The failed tasks are being replaced.
        case restarting
        /// The job could not start, or a restart could not be made.
        case failedForGood
        case cancelRequested
        /// Every task has stopped after a cancel.
        case cancelled
        /// The input ended (a bounded run drained, a stop with drain).
        case finished
    }

    public struct RefusedTransition: Error, Equatable, CustomStringConvertible {
        public let from: JobStatus
        public let event: Event
        public var description: String { "a job in state \(from.rawValue) cannot take \(event)" }
    }

    public private(set) var status: JobStatus = .created
    /// When each status was last entered (epoch ms).
    public private(set) var enteredMs: [JobStatus: Int64]

    public init(nowMs: Int64) { enteredMs = [.created: nowMs] }

    /// Applies `event` at `nowMs`; throws (and changes nothing) when the current status does not allow it.
    @discardableResult
    public mutating func apply(_ event: Event, nowMs: Int64) throws(RefusedTransition) -> JobStatus {
        guard let next = Self.next(status, event) else { throw RefusedTransition(from: status, event: event) }
        status = next
        enteredMs[next] = nowMs
        return next
    }

    static func next(_ status: JobStatus, _ event: Event) -> JobStatus? {
        switch (status, event) {
        case (.created, .started), (.restarting, .started): return .running
        case (.running, .taskFailed(let allowed)): return allowed ? .failing : .failed
        case (.failing, .restarting): return .restarting
        case (.failing, .failedForGood), (.restarting, .failedForGood), (.created, .failedForGood): return .failed
        case (.created, .cancelRequested), (.running, .cancelRequested), (.failing, .cancelRequested),
             (.restarting, .cancelRequested): return .cancelling
        case (.cancelling, .cancelled): return .canceled
        case (.running, .finished): return .finished
        default: return nil
        }
    }

    /// When the job started running (Flink's `start-time`), nil before.
    public var startMs: Int64? { enteredMs[.running] }
    /// When it reached a terminal status (Flink's `end-time`), nil while it runs.
    public var endMs: Int64? { status.isTerminal ? enteredMs[status] : nil }
}
