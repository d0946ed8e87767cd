/// A pattern operator's counters since it was created (`Operator.patternCounters`),
/// read by the task loop once per batch and published to `TaskMetrics`
/// (docs/metrics.md, "Pattern steps"). Plain integers the operator already
/// keeps: reading them touches no record.
public struct PatternCounters: Sendable, Equatable {
    /// Completed matches emitted.
    public var matches: Int
    /// Partial matches that `within` timed out (emitted, routed or only counted).
    public var timedOut: Int
    /// Partial matches dropped by the per-key cap (`maxPartialMatchesPerKey`).
    public var droppedPartialMatches: Int
    /// Records behind the watermark, sent to late data.
    public var lateRecords: Int

    public init(matches: Int, timedOut: Int, droppedPartialMatches: Int, lateRecords: Int) {
        self.matches = matches; self.timedOut = timedOut
        self.droppedPartialMatches = droppedPartialMatches; self.lateRecords = lateRecords
    }
}
