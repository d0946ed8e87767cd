/// A job's lifecycle, in Flink's states and words (`JobStatus` in Flink's REST
/// API), so scripts written against Flink read Weir's the same way.
///
/// Transitions (anything else is refused, see `JobLifecycle`):
/// - CREATED → RUNNING (its tasks started) · CANCELLING · FAILED (it could not start)
/// - RUNNING → FAILING (a task failed) · CANCELLING · FINISHED (its input ended)
/// - FAILING → RESTARTING (the restart strategy allows it) · FAILED (it does not)
/// - RESTARTING → RUNNING · CANCELLING · FAILED
/// - CANCELLING → CANCELED
/// CANCELED, FINISHED and FAILED are terminal.
public enum JobStatus: String, Sendable, Equatable, CaseIterable, Codable {
    case created = "CREATED"
    case running = "RUNNING"
    case failing = "FAILING"
    case restarting = "RESTARTING"
    case cancelling = "CANCELLING"
    case canceled = "CANCELED"
    case finished = "FINISHED"
    case failed = "FAILED"

    /// No transition leaves it.
    public var isTerminal: Bool { self == .canceled || self == .finished || self == .failed }
}
