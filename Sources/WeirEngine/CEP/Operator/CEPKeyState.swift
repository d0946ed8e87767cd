/// What the CEP operator keeps for one key: its NFA state and, in event time,
/// the records not yet passed by the watermark, sorted by (timestamp, arrival).
final class CEPKeyState {
    /// Set anew when the operator reuses a forgotten key's state (`CEPOperator.keyStatePool`).
    @exclusivity(unchecked) var key: [UInt8]
    let nfa: NFAState<CEPEvent>
    /// Records waiting for the watermark, in processing order.
    @exclusivity(unchecked) var pending: [(ts: Int64, event: CEPEvent)] = []
    /// The time this key's timer is set for (.max: none): the heap may hold
    /// older entries, which are skipped.
    @exclusivity(unchecked) var scheduled: Int64 = .max
    /// Holding nothing (a reset NFA state, no record waiting) but still indexed,
    /// linked oldest first in its partition's idle list (`CEPPartitionState`).
    @exclusivity(unchecked) var idle = false
    @exclusivity(unchecked) var idlePrev: Int32 = -1
    @exclusivity(unchecked) var idleNext: Int32 = -1

    init(key: [UInt8], nfa: NFAState<CEPEvent>) {
        self.key = key
        self.nfa = nfa
        nfa.buffer.keepsFreedEvents = true   // the operator reuses their storage (`CEPOperator.reclaimEvents`)
    }

    /// Inserts after every record with a timestamp ≤ `ts` (ties keep arrival order).
    func buffer(_ event: CEPEvent, at ts: Int64) {
        var i = pending.count
        while i > 0 && pending[i - 1].ts > ts { i -= 1 }
        pending.insert((ts, event), at: i)
    }

    /// When the earliest partial match times out (.max: none), as of the key's
    /// last run (`refreshTimeout`): only a run changes it, and reading it from
    /// here spares a record that is only buffered a look at the NFA state.
    @exclusivity(unchecked) private(set) var timeoutAt: Int64 = .max

    /// Call after the NFA state changed (a run, a reset, a restore).
    func refreshTimeout(windowMs: Int64) {
        if windowMs > 0, let s = nfa.earliestStart { timeoutAt = s &+ windowMs } else { timeoutAt = .max }
    }

    /// When this key next has work: its earliest buffered record, or the time
    /// its earliest partial match times out.
    func due() -> Int64 { min(pending.first?.ts ?? .max, timeoutAt) }
}
