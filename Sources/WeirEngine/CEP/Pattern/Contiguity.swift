/// How a stage is attached to the stage before it (Flink's `ConsumingStrategy`).
///
/// - `strict` (`next`): the stage's event must come right after the previous
///   stage's last event; any other event in between ends the partial match.
/// - `relaxed` (`followedBy`): events that do not match are skipped, up to the
///   first one that matches.
/// - `nonDeterministicRelaxed` (`followedByAny`): matching events may be
///   skipped too, so every later matching event starts its own branch.
/// - `notNext`: the next event must not match (otherwise the partial match ends).
/// - `notFollowedBy`: no matching event may come before the next stage's event
///   (at the end of a pattern: before `within` runs out).
public enum Contiguity: String, Sendable, Equatable, CaseIterable {
    case strict, relaxed, nonDeterministicRelaxed, notNext, notFollowedBy

    /// A not-stage: matches the absence of an event.
    public var isNegation: Bool { self == .notNext || self == .notFollowedBy }
}

/// Contiguity between the events of one looping or `times` stage: relaxed by
/// default (as Flink), `consecutive()` makes it strict, `allowCombinations()`
/// non-deterministic.
public enum InnerContiguity: String, Sendable, Equatable {
    case strict, relaxed, nonDeterministicRelaxed
}
