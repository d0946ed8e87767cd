/// The NFA state of one key (Flink's `NFAState` plus its `SharedBuffer`): the
/// partial matches, the completed matches held back by an after-match skip
/// strategy until no earlier partial match is alive, and the shared events.
/// Its fields (and the shared buffer's) are touched only on the task's thread,
/// never in overlapping accesses: `@exclusivity(unchecked)` spares the dynamic
/// checks class properties get, which were a few percent of a run.
public final class NFAState<Event> {
    /// Partial matches, the start state (no event yet) among them.
    @exclusivity(unchecked) var partial: PartialMatchQueue
    /// Completed, not yet emitted (skip strategies only).
    @exclusivity(unchecked) var completed = PartialMatchQueue()
    public let buffer: SharedBuffer<Event>
    let context: PatternContext<Event>

    init(start: Int, stageNames: [String], scratch: SharedBufferScratch<Event>) {
        partial = PartialMatchQueue([.start(start, version: DeweyNumber(start: 1))])
        let b = SharedBuffer<Event>(scratch: scratch)
        buffer = b
        context = PatternContext(stageNames: stageNames, buffer: b)
    }

    /// An idle state (`isIdle`) made equal to `init(start:stageNames:scratch:)`'s,
    /// keeping its arrays' capacity: the operator resets the state of a key
    /// going idle and keeps it (and reuses forgotten keys' states) instead of
    /// allocating a new one, and its arrays, when the key comes back.
    func reset(start: Int) {
        partial.removeAll()
        partial.offer(.start(start, version: DeweyNumber(start: 1)))
        completed.removeAll()
        buffer.reset()
    }

    /// Partial matches that have taken at least one event.
    public var partialMatchCount: Int { partial.elements.reduce(0) { $0 + ($1.startEvent == nil ? 0 : 1) } }
    /// Completed matches waiting for earlier partial matches (skip strategies).
    public var heldMatchCount: Int { completed.count }
    /// Nothing but the start state: the key holds no state worth keeping.
    public var isIdle: Bool { completed.isEmpty && partial.elements.allSatisfy { $0.startEvent == nil } && buffer.isEmpty }
    /// The earliest start timestamp of a partial match (nil: none), for the
    /// timer that times it out.
    public var earliestStart: Int64? {
        var m: Int64?
        for p in partial.elements where p.startEvent != nil {
            if let current = m, current <= p.startTimestamp { continue }
            m = p.startTimestamp
        }
        return m
    }
}
