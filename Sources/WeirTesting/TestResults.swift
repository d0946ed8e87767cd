import WeirPipelines

/// What running one test file gave.
public struct FileResult: Sendable {
    public var path: String
    /// The pipeline file (nil when the test file could not be read).
    public var pipeline: String?
    public var cases: [CaseResult]
    /// Why the file was refused (file:line:column diagnostics); its cases did not run.
    public var refused: [Diagnostic]
    public var seconds: Double

    public var passed: Int { cases.filter { $0.outcome == .passed }.count }
    public var failed: Int { cases.filter { if case .failed = $0.outcome { return true }; return false }.count }
    public var errors: Int { cases.filter { if case .error = $0.outcome { return true }; return false }.count + (refused.isEmpty ? 0 : 1) }
    public var ok: Bool { refused.isEmpty && cases.allSatisfy { $0.outcome == .passed } }
}

/// What running one case gave.
public struct CaseResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        /// What came out is not what was expected: one entry per check that failed.
        case failed([CheckFailure])
        /// The case could not run to its end (the driver refused a step, a sink failed).
        case error(String)
    }
    public var name: String
    /// `file:line:column` of the case.
    public var location: String
    public var outcome: Outcome
    public var seconds: Double
    /// What each check saw (for `--update`), in case order.
    var observed: [Observation] = []
}

/// One `expect` (a step, or the case's last) that did not hold.
public struct CheckFailure: Sendable, Equatable {
    /// `file:line:column` of the `expect`, or of the case for its implicit one.
    public var location: String
    public var mismatches: [ListMismatch]
}

/// What came out at one check, kept for `--update`.
struct Observation: Sendable {
    var expectation: Expectation
    var caseLayout: TextPlace
    var output: [TestValue]
    var deadLetters: [TestValue]
    var late: [TestValue]
    var timedOut: [TestValue] = []
    /// Per expected state key, the entries found.
    var state: [[TestValue]]?
    /// Which lists differed.
    var differing: Set<String>
}
