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

    /// When this key next has work: its earliest buffered record, or the time
    /// its earliest partial match times out.
    func due(windowMs: Int64) -> Int64 {
        var t = pending.first?.ts ?? .max
        if windowMs > 0, let s = nfa.earliestStart, s &+ windowMs < t { t = s &+ windowMs }
        return t
    }
}

/// Keys' timers of one partition: a binary min-heap of (time, key index).
struct CEPTimerHeap {
    private(set) var heap: [(time: Int64, key: Int32)] = []

    var nextTime: Int64? { heap.first?.time }
    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func push(_ time: Int64, _ key: Int32) {
        heap.append((time, key))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard heap[i].time < heap[p].time else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func popDue(_ now: Int64) -> (time: Int64, key: Int32)? {
        guard let top = heap.first, top.time <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                guard l < heap.count else { break }
                var m = l
                if l + 1 < heap.count && heap[l + 1].time < heap[l].time { m = l + 1 }
                guard heap[m].time < heap[i].time else { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

/// The keys of one state partition.
final class CEPPartitionState {
    @exclusivity(unchecked) var index: [[UInt8]: Int32] = [:]
    @exclusivity(unchecked) var keys: [CEPKeyState?] = []
    @exclusivity(unchecked) var freeSlots: [Int32] = []
    @exclusivity(unchecked) var timers = CEPTimerHeap()
    /// The partition's watermark (or processing time) so far.
    @exclusivity(unchecked) var time: Int64 = .min

    var keyCount: Int { index.count }

    func slot(for key: [UInt8], make: () -> CEPKeyState) -> Int32 {
        if let s = index[key] { return s }
        let st = make()
        let s: Int32
        if let f = freeSlots.popLast() { keys[Int(f)] = st; s = f } else { keys.append(st); s = Int32(keys.count - 1) }
        // keyed by the state's own copy: keying by `key` (the operator's reused
        // encoding buffer) made that buffer's next write copy it, per new key
        index[st.key] = s
        return s
    }

    /// Forgets the key in `slot`; returns its state (for the operator's pool).
    @discardableResult
    func remove(_ slot: Int32) -> CEPKeyState? {
        guard let st = keys[Int(slot)] else { return nil }
        index[st.key] = nil
        keys[Int(slot)] = nil
        freeSlots.append(slot)
        return st
    }
}
