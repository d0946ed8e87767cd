/// The state machine of a task's Kafka transaction.
///
///     idle --begin--> open --commitStarted--> committing --committed--> idle
///                      |                          |
///                      +--------abort-------------+--> idle (after abort + seek back)
///     any --fatal--> failed (terminal: the task closes and the job's restart strategy decides)
///
/// It decides nothing about Kafka itself; it keeps the task honest about which
/// calls are legal now, and when a commit is due.
public struct TransactionState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable { case idle, open, committing, failed }
    public enum TransitionError: Error, Equatable { case illegal(from: Phase, event: String) }

    public private(set) var phase: Phase = .idle
    /// When the open transaction began (monotonic ns).
    public private(set) var openedAt: UInt64 = 0
    public let intervalNanos: UInt64

    public init(intervalNanos: UInt64) { self.intervalNanos = intervalNanos }

    public var isOpen: Bool { phase == .open }

    public mutating func begin(now: UInt64) throws(TransitionError) {
        guard phase == .idle else { throw .illegal(from: phase, event: "begin") }
        phase = .open; openedAt = now
    }

    /// True when an open transaction has run for at least the interval.
    public func commitDue(now: UInt64) -> Bool {
        phase == .open && now &- openedAt >= intervalNanos
    }

    public mutating func commitStarted() throws(TransitionError) {
        guard phase == .open else { throw .illegal(from: phase, event: "commitStarted") }
        phase = .committing
    }

    public mutating func committed() throws(TransitionError) {
        guard phase == .committing else { throw .illegal(from: phase, event: "committed") }
        phase = .idle
    }

    /// After abort_transaction succeeded (from open or a failed commit).
    public mutating func aborted() throws(TransitionError) {
        guard phase == .open || phase == .committing else { throw .illegal(from: phase, event: "aborted") }
        phase = .idle
    }

    public mutating func fail() { phase = .failed }
}
