/// A partial match (Flink's `ComputationState`): the automaton state it is in,
/// its last shared-buffer node and version, and its start.
struct ComputationState: Equatable {
    var state: Int32
    /// Last node in the shared buffer (-1: nothing taken yet, a start state).
    var previous: Int32
    var version: DeweyNumber
    /// Timestamp of the first event (-1 for a start state).
    var startTimestamp: Int64
    /// Timestamp of the last event taken.
    var previousTimestamp: Int64
    var startEvent: EventID?

    static func start(_ state: Int, version: DeweyNumber) -> ComputationState {
        ComputationState(state: Int32(state), previous: -1, version: version, startTimestamp: -1,
                         previousTimestamp: -1, startEvent: nil)
    }
}
