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

    /// Flink's `COMPUTATION_STATE_COMPARATOR`: by start event, start states (no start event) last.
    static func precedes(_ a: ComputationState, _ b: ComputationState) -> Bool {
        switch (a.startEvent, b.startEvent) {
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x < y
        }
    }

    /// `a` orders no later than `b` (Flink's `isEarlier`: compare ≤ 0).
    static func notAfter(_ a: ComputationState, _ b: ComputationState) -> Bool { !precedes(b, a) }
}

extension Array where Element == ComputationState {
    /// Stable sort by start event: Flink keeps these in priority queues; Weir
    /// keeps them sorted, equal starts in the order they were made.
    mutating func sortByStart() {
        guard count > 1 else { return }
        // insertion sort: nearly sorted, small, stable
        for i in 1..<count {
            let x = self[i]
            var j = i
            while j > 0 && ComputationState.precedes(x, self[j - 1]) { self[j] = self[j - 1]; j -= 1 }
            self[j] = x
        }
    }
}
