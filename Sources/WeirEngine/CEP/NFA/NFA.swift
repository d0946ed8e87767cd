/// A compiled pattern, run per key on an `NFAState` (Flink's `NFA`):
///
/// - `process(event)`: every partial match takes the event along the
///   automaton's transitions (branching where several apply); the start state
///   stays, so every event may start a new match. Matches that reach the final
///   state are emitted at once (`noSkip`), or through the skip strategy.
/// - `advanceTime(t)`: partial matches with `t − start ≥ within` time out
///   (reported with what they had taken), and patterns ending in
///   `notFollowedBy` complete. Call it before the events of time `t` (the
///   keyed operator does), so a match needs `last − first < within`.
///
/// Partial and completed matches live in `PartialMatchQueue`, a heap that
/// behaves as the `java.util.PriorityQueue` Flink keeps them in, so that
/// matches tying on their start event are emitted (and pruned) in Flink's order.
public final class NFA<Event> {
    let graph: NFAGraph
    public let stageNames: [String]
    private let conditions: [PatternCondition<Event>?]
    private let untils: [PatternCondition<Event>?]
    /// `within` in ms; 0: none.
    public let windowMs: Int64
    public let skipStrategy: AfterMatchSkipStrategy
    private let skipStage: Int32
    /// Entries arrays of matches handed back (`recycle`). The NFA runs on one
    /// task's thread only (one per operator), never in overlapping accesses.
    @exclusivity(unchecked) private var entryPool: [[Match<Event>.Entry]] = []
    static var entryPoolLimit: Int { 256 }
    // Scratch of `process` and `advanceTime`, kept for its capacity (swapped in
    // and out, never copied). One set per NFA, not per key: a key's state then
    // holds fewer arrays, and these stay in cache across keys.
    @exclusivity(unchecked) private var sparePartial = PartialMatchQueue()
    @exclusivity(unchecked) private var sparePotential = PartialMatchQueue()
    @exclusivity(unchecked) private var scratchNext: [ComputationState] = []
    @exclusivity(unchecked) private var scratchRetain: [ComputationState] = []
    @exclusivity(unchecked) private var scratchEdges: [(action: NFAGraph.Action, source: Int32, target: Int32)] = []
    @exclusivity(unchecked) private var scratchStack: [Int32] = []
    /// The shared buffers' scratch, shared by every key's buffer.
    let bufferScratch = SharedBufferScratch<Event>()

    public init(_ pattern: Pattern<Event>) throws(PatternError) {
        graph = try NFACompiler.compile(pattern)
        stageNames = pattern.stages.map(\.name)
        conditions = pattern.stages.map(\.condition)
        untils = pattern.stages.map(\.until)
        windowMs = pattern.withinMs ?? 0
        skipStrategy = pattern.skipStrategy
        skipStage = Int32(pattern.skipStrategy.stageName.flatMap { n in pattern.stages.firstIndex { $0.name == n } } ?? -1)
    }

    public func makeState() -> NFAState<Event> { NFAState(start: graph.start, stageNames: stageNames, scratch: bufferScratch) }

    /// Makes an idle state (a key's going idle) as `makeState()` makes a new one.
    func reset(_ state: NFAState<Event>) { state.reset(start: graph.start) }

    /// The automaton's shape (states, kinds, transitions; not the conditions'
    /// code): a snapshot restores only into the same shape, since partial
    /// matches name automaton states by number.
    public var signature: String {
        var s = "within=\(windowMs)|skip=\(skipStrategy)"
        for st in graph.states {
            s += "|\(st.name):\(st.kind)"
            for t in st.transitions { s += ",\(t.action)>\(t.target):\(t.condition)" }
        }
        return s
    }

    /// Per-key cap: drops the partial matches that started earliest until at
    /// most `max` are left (the start state is never dropped). Returns how many were dropped.
    public func dropOldestPartialMatches(_ state: NFAState<Event>, keeping max: Int) -> Int {
        var alive = state.partialMatchCount
        var dropped = 0
        // the queue's head is the earliest start; the start state (no start event) sorts last
        while alive > max, let head = state.partial.peek, head.startEvent != nil {
            _ = state.partial.poll()
            state.buffer.releaseNode(head.previous, version: head.version)
            alive -= 1
            dropped += 1
        }
        return dropped
    }

    // MARK: events

    /// Feeds one event; completed matches are appended to `matches`.
    public func process(_ event: Event, timestamp: Int64, state: NFAState<Event>, matches: inout [Match<Event>]) {
        let buffer = state.buffer
        let slot = buffer.register(event, timestamp: timestamp)
        var newPartial = PartialMatchQueue()
        var potential = PartialMatchQueue()
        swap(&newPartial, &sparePartial)
        swap(&potential, &sparePotential)
        newPartial.removeAll()
        potential.removeAll()
        // scratch swapped out (not copied): a copy would make the first
        // mutation below allocate, per partial match and event
        var next: [ComputationState] = []
        var retain: [ComputationState] = []
        swap(&next, &scratchNext)
        swap(&retain, &scratchRetain)
        for cs in state.partial.elements {   // array order, as Java iterates a PriorityQueue
            next.removeAll(keepingCapacity: true)
            computeNextStates(cs, slot, event, timestamp, state, &next)
            retain.removeAll(keepingCapacity: true)
            var discard = false
            for n in next {
                switch graph.states[Int(n.state)].kind {
                case .final: potential.offer(n)
                case .stop:
                    discard = true
                    buffer.releaseNode(n.previous, version: n.version)
                default: retain.append(n)
                }
            }
            if discard {
                // a not-stage's event arrived: the whole branch ends
                for r in retain { buffer.releaseNode(r.previous, version: r.version) }
            } else {
                for r in retain { newPartial.offer(r) }
            }
        }
        if skipStrategy.isSkip {
            emitAccordingToSkipStrategy(state, potential, &newPartial, &matches)
        } else {
            for m in potential.elements {
                if buffer.extractFirstPath(node: m.previous, version: m.version) { matches.append(materialize(0, buffer)) }
                buffer.releaseNode(m.previous, version: m.version)
            }
        }
        swap(&newPartial, &state.partial)   // newPartial now holds the old queue: kept as the spare
        sparePartial = newPartial
        sparePotential = potential
        scratchNext = next
        scratchRetain = retain
        buffer.releaseEvent(slot)
    }

    /// Flink's `computeNextStates`: the branches one partial match becomes
    /// with this event, with Dewey versions assigned as Flink assigns them.
    private func computeNextStates(_ cs: ComputationState, _ slot: Int32, _ event: Event, _ timestamp: Int64,
                                   _ state: NFAState<Event>, _ out: inout [ComputationState]) {
        let buffer = state.buffer
        let ctx = state.context
        ctx.reset(node: cs.previous, version: cs.version, timestamp: timestamp)
        var edges: [(action: NFAGraph.Action, source: Int32, target: Int32)] = []
        swap(&edges, &scratchEdges)
        edges.removeAll(keepingCapacity: true)
        decisionGraph(Int(cs.state), event, ctx, &scratchStack, &edges)
        var totalTake = 0, totalIgnore = 0
        for e in edges where !(e.action == .ignore && e.target == cs.state) {
            if e.action == .take { totalTake += 1 } else if e.action == .ignore { totalIgnore += 1 }
        }
        let isStart = graph.isStart(Int(cs.state))
        var takeBranchesToVisit = max(0, totalTake - 1)
        var ignoreBranchesToVisit = totalIgnore
        let totalTakeToSkip = max(0, totalTake - 1)

        for edge in edges {
            switch edge.action {
            case .ignore:
                guard !isStart else { continue }   // the start state never skips: it stays anyway
                let version: DeweyNumber
                if edge.target == cs.state {
                    version = cs.version.increased(Self.selfIncrease(totalIgnore, totalTake))
                } else {
                    // IGNORE after PROCEED
                    version = cs.version.increased(totalTakeToSkip + ignoreBranchesToVisit).addingStage()
                    ignoreBranchesToVisit -= 1
                }
                add(&out, buffer, ComputationState(state: edge.target, previous: cs.previous, version: version,
                                                   startTimestamp: cs.startTimestamp,
                                                   previousTimestamp: cs.previousTimestamp, startEvent: cs.startEvent))
            case .take:
                let currentVersion = cs.version.increased(takeBranchesToVisit)
                let nextVersion = currentVersion.addingStage()
                takeBranchesToVisit -= 1
                let stage = Int32(graph.states[Int(edge.source)].stage)
                let entry = buffer.put(stage: stage, event: slot, previous: cs.previous, version: currentVersion)
                let startTs = isStart ? timestamp : cs.startTimestamp
                let startID = isStart ? buffer.eventID(slot) : cs.startEvent
                add(&out, buffer, ComputationState(state: edge.target, previous: entry, version: nextVersion,
                                                   startTimestamp: startTs, previousTimestamp: timestamp, startEvent: startID))
                // the state taken into may complete the match by PROCEED alone (optional rest)
                if let final = finalAfterProceed(Int(edge.target), event, ctx, &scratchStack) {
                    add(&out, buffer, ComputationState(state: Int32(final), previous: entry, version: nextVersion,
                                                       startTimestamp: startTs, previousTimestamp: timestamp, startEvent: startID))
                }
            case .proceed:
                break
            }
        }
        if isStart {
            out.append(.start(Int(cs.state), version: cs.version.increased(Self.selfIncrease(totalIgnore, totalTake))))
        }
        if cs.previous >= 0 { buffer.releaseNode(cs.previous, version: cs.version) }
        scratchEdges = edges
    }

    @inline(__always)
    private func add(_ out: inout [ComputationState], _ buffer: SharedBuffer<Event>, _ cs: ComputationState) {
        out.append(cs)
        buffer.lockNode(cs.previous, version: cs.version)
    }

    private static func selfIncrease(_ ignoreBranches: Int, _ takeBranches: Int) -> Int {
        takeBranches == 0 && ignoreBranches == 0 ? 0 : ignoreBranches + max(1, takeBranches)
    }

    /// The TAKE and IGNORE edges open to a partial match in `from` for this
    /// event, following PROCEED edges (depth first, as Flink's stack).
    private func decisionGraph(_ from: Int, _ event: Event, _ ctx: PatternContext<Event>, _ stack: inout [Int32],
                               _ edges: inout [(action: NFAGraph.Action, source: Int32, target: Int32)]) {
        stack.removeAll(keepingCapacity: true)
        stack.append(Int32(from))
        while let s = stack.popLast() {
            for t in graph.states[Int(s)].transitions where evaluate(t.condition, event, ctx) {
                switch t.action {
                case .proceed: stack.append(Int32(t.target))
                case .take, .ignore: edges.append((t.action, s, Int32(t.target)))
                }
            }
        }
    }

    private func finalAfterProceed(_ from: Int, _ event: Event, _ ctx: PatternContext<Event>, _ stack: inout [Int32]) -> Int? {
        stack.removeAll(keepingCapacity: true)
        stack.append(Int32(from))
        while let s = stack.popLast() {
            for t in graph.states[Int(s)].transitions where t.action == .proceed && evaluate(t.condition, event, ctx) {
                if graph.states[t.target].kind == .final { return t.target }
                stack.append(Int32(t.target))
            }
        }
        return nil
    }

    private func evaluate(_ c: NFAGraph.Condition, _ event: Event, _ ctx: PatternContext<Event>) -> Bool {
        switch c {
        case .always: return true
        case .stage(let i): return conditions[i]?(event, ctx) ?? true
        case .until(let i): return untils[i]?(event, ctx) ?? false
        case .not(let x): return !evaluate(x, event, ctx)
        case .and(let a, let b): return evaluate(a, event, ctx) && evaluate(b, event, ctx)
        }
    }

    // MARK: time

    /// Times out partial matches at `timestamp` (and completes pending
    /// `notFollowedBy` ones). Run it before the events of `timestamp`.
    public func advanceTime(_ timestamp: Int64, state: NFAState<Event>, matches: inout [Match<Event>],
                            timedOut: inout [TimedOutMatch<Event>]) {
        guard windowMs > 0 || !state.completed.isEmpty else { return }
        let buffer = state.buffer
        var potential = PartialMatchQueue()
        swap(&potential, &sparePotential)
        potential.removeAll()
        defer { swap(&potential, &sparePotential) }
        // most calls time nothing out: then the queue stays as it is (rebuilding
        // it in array order would give the same heap) and nothing is allocated
        guard windowMs > 0, state.partial.elements.contains(where: { timesOut($0, timestamp) }) else {
            if !state.completed.isEmpty { emitAccordingToSkipStrategy(state, potential, &state.partial, &matches) }
            return
        }
        var newPartial = PartialMatchQueue()
        swap(&newPartial, &sparePartial)
        newPartial.removeAll()
        for cs in state.partial.elements {
            if timesOut(cs, timestamp) {
                if graph.states[Int(cs.state)].kind == .pending {
                    potential.offer(cs)   // released once emitted (or pruned)
                    continue
                }
                if buffer.extractFirstPath(node: cs.previous, version: cs.version) {
                    timedOut.append(TimedOutMatch(match: materialize(0, buffer), timeoutTimestamp: cs.startTimestamp + windowMs))
                }
                buffer.releaseNode(cs.previous, version: cs.version)
            } else {
                newPartial.offer(cs)
            }
        }
        // a timed-out partial match may free completed matches it held back
        emitAccordingToSkipStrategy(state, potential, &newPartial, &matches)
        swap(&newPartial, &state.partial)   // the old queue becomes the spare
        sparePartial = newPartial
    }

    @inline(__always) private func timesOut(_ cs: ComputationState, _ timestamp: Int64) -> Bool {
        !graph.isStart(Int(cs.state)) && timestamp &- cs.startTimestamp >= windowMs
    }

    // MARK: matches

    /// Flink's `processMatchesAccordingToSkipStrategy`: the earliest completed
    /// match is emitted while no partial match started before it; each emitted
    /// match prunes partial and held matches.
    private func emitAccordingToSkipStrategy(_ state: NFAState<Event>, _ potential: PartialMatchQueue,
                                             _ partial: inout PartialMatchQueue, _ matches: inout [Match<Event>]) {
        let buffer = state.buffer
        for p in potential.elements { state.completed.offer(p) }
        while let earliest = state.completed.peek {
            if let p = partial.peek, PartialMatchQueue.compare(earliest, p) > 0 { break }
            _ = state.completed.poll()
            let paths = buffer.extractPaths(node: earliest.previous, version: earliest.version)
            // pruning releases nodes but leaves the extracted paths (`buffer.pathSteps`) alone
            if let pruningID = pruningID(paths, buffer) {
                prune(&partial, pruningID, buffer)
                prune(&state.completed, pruningID, buffer)
            }
            if paths > 0 { matches.append(materialize(0, buffer)) }
            buffer.releaseNode(earliest.previous, version: earliest.version)
        }
    }

    /// The event partial matches are pruned against, over every path of the
    /// match (Flink's `getPruningId`); nil: nothing to prune.
    private func pruningID(_ paths: Int, _ buffer: SharedBuffer<Event>) -> EventID? {
        var id: EventID?
        func keepMin(_ x: EventID) { if let c = id, c <= x { return }; id = x }
        func keepMax(_ x: EventID) { if let c = id, x <= c { return }; id = x }
        for k in 0..<paths {
            let path = buffer.path(k)
            switch skipStrategy {
            case .noSkip: return nil
            case .skipToNext:
                // the first event of every stage: the match's first event
                if let s = path.first { keepMin(buffer.eventID(s.event)) }
            case .skipPastLastEvent:
                if let s = path.last { keepMax(buffer.eventID(s.event)) }
            case .skipToFirst:
                if let s = path.first(where: { $0.stage == skipStage }) { keepMax(buffer.eventID(s.event)) }
            case .skipToLast:
                if let s = path.last(where: { $0.stage == skipStage }) { keepMax(buffer.eventID(s.event)) }
            }
        }
        return id
    }

    private func prune(_ queue: inout PartialMatchQueue, _ pruningID: EventID, _ buffer: SharedBuffer<Event>) {
        // skipToNext / skipPastLastEvent drop starts ≤ the pruning event; skipToFirst / skipToLast drop starts < it
        let inclusive = skipStrategy == .skipToNext || skipStrategy == .skipPastLastEvent
        func drop(_ cs: ComputationState) -> Bool {
            guard let start = cs.startEvent else { return false }
            return inclusive ? start <= pruningID : start < pruningID
        }
        for cs in queue.elements where drop(cs) { buffer.releaseNode(cs.previous, version: cs.version) }
        queue.removeAll(where: drop)
    }

    /// Path k of the buffer's last extraction as a match. Its entries array
    /// comes from `entryPool` (matches are handed back through `recycle`), so
    /// a match allocates only until the pool holds enough.
    private func materialize(_ k: Int, _ buffer: SharedBuffer<Event>) -> Match<Event> {
        var entries = entryPool.popLast() ?? []
        entries.removeAll(keepingCapacity: true)
        for step in buffer.path(k) {
            guard let e = buffer.event(step.event) else { continue }
            entries.append(Match.Entry(stage: stageNames[Int(step.stage)], event: e, timestamp: buffer.timestamp(step.event)))
        }
        return Match(entries: entries)
    }

    /// Takes back emitted matches' storage for the next ones (their events
    /// are let go of at once); leaves `matches` empty.
    public func recycle(_ matches: inout [Match<Event>]) {
        for i in matches.indices where entryPool.count < Self.entryPoolLimit {
            var e: [Match<Event>.Entry] = []
            swap(&e, &matches[i].entries)
            e.removeAll(keepingCapacity: true)
            entryPool.append(e)
        }
        matches.removeAll(keepingCapacity: true)
    }

    /// As `recycle(_ matches:)`, for timed-out matches.
    public func recycle(_ timedOut: inout [TimedOutMatch<Event>]) {
        for i in timedOut.indices where entryPool.count < Self.entryPoolLimit {
            var e: [Match<Event>.Entry] = []
            swap(&e, &timedOut[i].match.entries)
            e.removeAll(keepingCapacity: true)
            entryPool.append(e)
        }
        timedOut.removeAll(keepingCapacity: true)
    }
}
