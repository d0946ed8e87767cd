/// Which partial matches are dropped after a match is emitted (Flink's
/// `AfterMatchSkipStrategy`). Pruning compares a partial match's *start event*
/// with a pruning event of the emitted match:
///
/// - `noSkip`: nothing is dropped; every match is emitted.
/// - `skipToNext`: drops partial matches that started with (or before) the
///   match's first event.
/// - `skipPastLastEvent`: drops partial matches that started at or before the
///   match's last event.
/// - `skipToFirst(stage)` / `skipToLast(stage)`: drops partial matches that
///   started strictly before the first / last event the match gave `stage`
///   (nothing is dropped when the stage took no event).
///
/// With any strategy but `noSkip`, a completed match waits until no partial
/// match that started earlier is alive (Flink's `processMatchesAccordingToSkipStrategy`):
/// the earlier one may complete first and prune it.
public enum AfterMatchSkipStrategy: Sendable, Equatable {
    case noSkip
    case skipToNext
    case skipPastLastEvent
    case skipToFirst(String)
    case skipToLast(String)

    /// The stage a `skipToFirst`/`skipToLast` names.
    public var stageName: String? {
        switch self {
        case .skipToFirst(let s), .skipToLast(let s): return s
        default: return nil
        }
    }

    var isSkip: Bool { self != .noSkip }
}
