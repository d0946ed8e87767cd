/// The compiled automaton of a pattern (Flink's `State`/`StateTransition`):
/// states with TAKE (consume the event, stay or move), IGNORE (skip the event)
/// and PROCEED (an epsilon move, tested with the same event) transitions.
struct NFAGraph: Sendable {
    enum Kind: Sendable, Equatable {
        case start, normal, final
        /// Reached when a not-stage's event arrives: the branch is discarded.
        case stop
        /// A pattern ending in `notFollowedBy`: complete once `within` runs out.
        case pending
    }

    enum Action: Sendable, Equatable { case take, ignore, proceed }

    /// A transition condition built from the stages' conditions.
    indirect enum Condition: Sendable, Equatable {
        case always
        /// Stage i's `where` condition.
        case stage(Int)
        /// Stage i's `until` condition.
        case until(Int)
        case not(Condition)
        case and(Condition, Condition)
    }

    struct Transition: Sendable, Equatable {
        var action: Action
        var target: Int
        var condition: Condition
    }

    struct State: Sendable, Equatable {
        /// Unique within the graph ("b", "b:1", ...), as Flink names its states.
        var name: String
        /// The pattern stage the state belongs to (-1: the final and pending states).
        var stage: Int
        var kind: Kind
        var transitions: [Transition] = []
    }

    var states: [State]
    var start: Int

    func isStart(_ s: Int) -> Bool { states[s].kind == .start }
}
