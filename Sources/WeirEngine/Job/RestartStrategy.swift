/// What a job does when a task fails (Flink's restart strategies).
public enum RestartStrategy: Sendable, Equatable {
    /// Fail the job at the first task failure.
    case none
    /// Up to `attempts` restarts, `delayMs` apart (Flink's default: 3 attempts, 10 s).
    case fixedDelay(attempts: Int, delayMs: Int)
    /// Delays `initialMs`, ×`multiplier` each time up to `maxMs`; `attempts` nil =
    /// unbounded. After `resetAfterMs` without failure the delay starts over.
    case exponentialDelay(initialMs: Int, maxMs: Int, multiplier: Double, attempts: Int?, resetAfterMs: Int)

    public static let `default` = RestartStrategy.fixedDelay(attempts: 3, delayMs: 10_000)
}

/// The state machine behind a restart strategy: how long to wait before the
/// next restart, or that the job has failed.
///
///     running --failure--> restarting(delay) --restarted--> running
///        |                       (attempts left)
///        +--failure, no attempts left--> failed (terminal)
public struct RestartTracker: Sendable {
    public let strategy: RestartStrategy
    public private(set) var attempts = 0
    public private(set) var failed = false
    private var currentDelayMs = 0
    private var lastFailureMs: Int64?

    public init(_ strategy: RestartStrategy) { self.strategy = strategy }

    /// Records a failure at `nowMs`; returns the delay before restarting, or nil
    /// when the job must fail.
    public mutating func onFailure(nowMs: Int64) -> Int? {
        guard !failed else { return nil }
        defer { lastFailureMs = nowMs }
        switch strategy {
        case .none:
            failed = true
            return nil
        case .fixedDelay(let max, let delay):
            guard attempts < max else { failed = true; return nil }
            attempts += 1
            return delay
        case .exponentialDelay(let initial, let maxDelay, let multiplier, let max, let resetAfter):
            if let last = lastFailureMs, nowMs - last >= Int64(resetAfter) {
                attempts = 0; currentDelayMs = 0
            }
            if let max, attempts >= max { failed = true; return nil }
            attempts += 1
            currentDelayMs = currentDelayMs == 0 ? initial : min(maxDelay, Int(Double(currentDelayMs) * multiplier))
            return currentDelayMs
        }
    }
}
