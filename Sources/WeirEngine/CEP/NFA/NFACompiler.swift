/// Compiles a pattern into an `NFAGraph` the way Flink's `NFACompiler` does,
/// from the last stage back to the first, so that the automaton (and with it
/// the versions partial matches get) is the one Flink builds:
///
/// - a singleton stage is a state with TAKE to the next stage's state, IGNORE
///   to itself for relaxed (`!condition`) or non-deterministic (`true`)
///   contiguity, and PROCEED to the next stage when optional;
/// - `times(from, to)` unrolls into `to` states, the last `to − from` of them
///   optional; a looping stage adds a state that TAKEs into itself and
///   PROCEEDs on, plus an IGNORE state for its inner contiguity;
/// - `greedy` ANDs `!take` into the transitions of the state after the loop;
/// - `until` ANDs `!until` into the loop's TAKE and IGNORE conditions;
/// - not-stages become PROCEED edges into stop states; `notFollowedBy` at the
///   end of a pattern with `within` becomes a pending state.
struct NFACompiler<Event> {
    private let stages: [PatternStage<Event>]
    private let hasWindow: Bool
    private var states: [NFAGraph.State] = []
    private var nameCounts: [String: Int] = [:]
    private var stopStates: [Int: Int] = [:]          // not-stage → its stop state
    private var originalStates: [String: Int] = [:]   // greedy + until: the sink before greedy conditions
    private var current = 0
    private var following: Int?
    /// A stage Flink compiles into an automaton that fails at run time.
    private var brokenInFlink: String?

    static func compile(_ pattern: Pattern<Event>) throws(PatternError) -> NFAGraph {
        try pattern.validate()
        var c = NFACompiler(stages: pattern.stages, hasWindow: pattern.withinMs != nil)
        let graph = c.build()
        if let stage = c.brokenInFlink {
            throw PatternError("an optional greedy loop with until after a not-stage: Flink's compiler leaves its until-exit without a target and the job fails when until first holds, so Weir refuses it", stage: stage)
        }
        return graph
    }

    private init(stages: [PatternStage<Event>], hasWindow: Bool) {
        self.stages = stages
        self.hasWindow = hasWindow
    }

    private mutating func build() -> NFAGraph {
        var sink = createState(name: "$endState$", stage: -1, kind: .final)
        current = stages.count - 1
        following = nil
        while current > 0 {
            let stage = stages[current]
            switch stage.contiguity {
            case .notFollowedBy:
                // in the middle: edge conditions on the neighbours (addStopStates);
                // at the end: a state that completes when the window runs out
                if hasWindow && states[sink].kind == .final {
                    let pending = createState(name: "$pendingState$", stage: -1, kind: .pending)
                    let notCondition = takeCondition(current)
                    let stop = stopState(notCondition, current)
                    add(pending, .proceed, stop, notCondition)
                    add(pending, .ignore, pending, .not(notCondition))
                    sink = pending
                }
            case .notNext:
                let notNext = createState(name: stage.name, stage: current, kind: .normal)
                let notCondition = takeCondition(current)
                let stop = stopState(notCondition, current)
                // before the final state an IGNORE, so that PROCEED does not complete the match with this event
                add(notNext, states[sink].kind == .final ? .ignore : .proceed, sink, .not(notCondition))
                add(notNext, .proceed, stop, notCondition)
                sink = notNext
            default:
                sink = convertStage(sink)
            }
            following = current
            current -= 1
        }
        let begin = convertStage(sink)
        states[begin].kind = .start
        return NFAGraph(states: states, start: begin)
    }

    // MARK: states

    private mutating func createState(name: String, stage: Int, kind: NFAGraph.Kind) -> Int {
        let n = nameCounts[name, default: 0]
        nameCounts[name] = n + 1
        states.append(NFAGraph.State(name: n == 0 ? name : "\(name):\(n)", stage: stage, kind: kind))
        return states.count - 1
    }

    private mutating func add(_ from: Int, _ action: NFAGraph.Action, _ to: Int, _ condition: NFAGraph.Condition) {
        states[from].transitions.append(NFAGraph.Transition(action: action, target: to, condition: condition))
    }

    private mutating func copyState(_ s: Int) -> Int {
        let original = states[s]
        let copy = createState(name: Self.originalName(original.name), stage: original.stage, kind: original.kind)
        for t in original.transitions {
            add(copy, t.action, t.target == s ? copy : t.target, t.condition)
        }
        return copy
    }

    private static func originalName(_ name: String) -> String {
        name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
    }

    private mutating func stopState(_ condition: NFAGraph.Condition, _ notStage: Int) -> Int {
        if let s = stopStates[notStage] { return s }   // every path stops in the same state
        let s = createState(name: stages[notStage].name, stage: notStage, kind: .stop)
        add(s, .take, s, condition)
        stopStates[notStage] = s
        return s
    }

    // MARK: conditions

    private func takeCondition(_ i: Int) -> NFAGraph.Condition { stages[i].condition == nil ? .always : .stage(i) }

    private func ignoreCondition(_ contiguity: Contiguity, _ i: Int) -> NFAGraph.Condition? {
        switch contiguity {
        case .strict: return nil
        case .relaxed: return .not(takeCondition(i))
        case .nonDeterministicRelaxed: return .always
        case .notNext, .notFollowedBy: return nil
        }
    }

    private func outerIgnoreCondition(_ i: Int) -> NFAGraph.Condition? { ignoreCondition(stages[i].contiguity, i) }

    private func innerIgnoreCondition(_ i: Int) -> NFAGraph.Condition? {
        switch stages[i].quantifier.inner {
        case .strict: return ignoreCondition(.strict, i)
        case .relaxed: return ignoreCondition(.relaxed, i)
        case .nonDeterministicRelaxed: return ignoreCondition(.nonDeterministicRelaxed, i)
        }
    }

    private var untilCondition: NFAGraph.Condition? { stages[current].until == nil ? nil : .until(current) }

    private func withUntil(_ c: NFAGraph.Condition?, isTake: Bool) -> NFAGraph.Condition? {
        guard let u = untilCondition else { return c }
        if let c { return .and(.not(u), c) }
        return isTake ? .not(u) : nil
    }

    /// The not-stages that still apply to the current stage: those before it
    /// with only optional stages (or other not-stages) in between.
    private func currentNotConditions() -> [(condition: NFAGraph.Condition, stage: Int)] {
        var result: [(NFAGraph.Condition, Int)] = []
        var p = current
        while p > 0 && (stages[p - 1].quantifier.optional || stages[p - 1].contiguity == .notFollowedBy) {
            p -= 1
            if stages[p].contiguity == .notFollowedBy { result.append((takeCondition(p), p)) }
        }
        return result
    }

    private mutating func addStopStates(_ s: Int) {
        for n in currentNotConditions() {
            let stop = stopState(n.condition, n.stage)
            add(s, .proceed, stop, n.condition)
        }
    }

    private mutating func addStopStateToLooping(_ s: Int) {
        guard let f = following, stages[f].contiguity == .notFollowedBy else { return }
        let condition = takeCondition(f)
        let stop = stopState(condition, f)
        add(s, .proceed, stop, condition)
    }

    /// Greedy: the state after a loop may act only on events the loop cannot take.
    private mutating func makeGreedy(_ s: Int, _ take: NFAGraph.Condition) {
        for i in states[s].transitions.indices {
            states[s].transitions[i].condition = .and(states[s].transitions[i].condition, .not(take))
        }
    }

    /// A copy of `sink` without the stop edges of not-stages before the current
    /// (optional) stage: once it takes an event, those not-stages no longer apply.
    private mutating func copyWithoutTransitiveNots(_ sink: Int) -> Int {
        let nots = currentNotConditions()
        guard !nots.isEmpty && stages[current].quantifier.optional else { return sink }
        let original = states[sink]
        let copy = createState(name: Self.originalName(original.name), stage: original.stage, kind: original.kind)
        for t in original.transitions {
            if t.action == .proceed {
                var target = t.target
                var remove = false
                if states[target].kind == .stop {
                    remove = nots.contains { $0.stage == states[target].stage }
                } else {
                    target = copyWithoutTransitiveNots(target)
                }
                if !remove { add(copy, t.action, target, t.condition) }
            } else {
                add(copy, t.action, t.target == sink ? copy : t.target, t.condition)
            }
        }
        return copy
    }

    // MARK: stages

    private mutating func convertStage(_ sink: Int) -> Int {
        let q = stages[current].quantifier
        let bounds = q.bounds
        let last: Int
        if q.isLooping {
            let target = copyWithoutTransitiveNots(sink)
            let looping = createLooping(target)
            last = createTimes(looping, proceed: sink, from: bounds.from, to: bounds.to)
        } else if case .times = q.kind {
            last = createTimes(sink, proceed: sink, from: bounds.from, to: bounds.to)
        } else {
            last = createSingleton(sink, proceed: sink, take: takeCondition(current),
                                   ignore: outerIgnoreCondition(current), optional: q.optional)
        }
        addStopStates(last)
        return last
    }

    private mutating func createLooping(_ sink: Int) -> Int {
        let stage = stages[current]
        let ignore = withUntil(innerIgnoreCondition(current), isTake: false)
        let take = withUntil(takeCondition(current), isTake: true) ?? .always
        let looping = createState(name: stage.name, stage: current, kind: .normal)
        if stage.quantifier.greedy {
            if let u = untilCondition {
                let original = copyState(sink)
                add(looping, .proceed, original, .and(.always, u))
                originalStates[states[sink].name] = original
            }
            add(looping, .proceed, sink, untilCondition.map { .and(.always, .not($0)) } ?? .always)
            makeGreedy(sink, takeCondition(current))
        } else {
            add(looping, .proceed, sink, .always)
        }
        add(looping, .take, looping, take)
        addStopStateToLooping(looping)
        if let ignore {
            let ignoreState = createState(name: stage.name, stage: current, kind: .normal)
            add(ignoreState, .take, looping, take)
            add(ignoreState, .ignore, ignoreState, ignore)
            add(looping, .ignore, ignoreState, ignore)
            addStopStateToLooping(ignoreState)
        }
        return looping
    }

    private mutating func createTimes(_ sink: Int, proceed: Int, from: Int, to: Int) -> Int {
        let stage = stages[current]
        let innerIgnore = withUntil(innerIgnoreCondition(current), isTake: false)
        let take = withUntil(takeCondition(current), isTake: true) ?? .always
        if stage.quantifier.greedy && from != to {
            if untilCondition != nil { originalStates[states[sink].name] = copyState(sink) }
            makeGreedy(sink, take)
        }
        var last = sink
        for _ in from..<to {
            last = createSingleton(last, proceed: proceed, take: take, ignore: innerIgnore, optional: true)
            addStopStateToLooping(last)
        }
        for _ in 0..<max(0, from - 1) {
            last = createSingleton(last, proceed: nil, take: take, ignore: innerIgnore, optional: false)
            addStopStateToLooping(last)
        }
        return createSingleton(last, proceed: proceed, take: take, ignore: outerIgnoreCondition(current),
                               optional: stage.quantifier.optional)
    }

    private mutating func createSingleton(_ sink: Int, proceed: Int?, take: NFAGraph.Condition,
                                          ignore: NFAGraph.Condition?, optional: Bool) -> Int {
        let stage = stages[current]
        let single = createState(name: stage.name, stage: current, kind: .normal)
        // once an event is taken, not-stages before this optional one no longer apply
        let target = copyWithoutTransitiveNots(sink)
        add(single, .take, target, take)
        if optional, let proceed {
            if stage.quantifier.greedy {
                if let u = untilCondition {
                    if let original = originalStates[states[proceed].name] {
                        add(single, .proceed, original, .and(.always, u))
                    } else {
                        brokenInFlink = brokenInFlink ?? stage.name   // Flink adds an edge to null here
                    }
                }
                add(single, .proceed, proceed, untilCondition.map { .and(.always, .not($0)) } ?? .always)
            } else {
                add(single, .proceed, proceed, .always)
            }
        }
        if let ignore {
            let ignoreState: Int
            if optional {
                ignoreState = createState(name: stage.name, stage: current, kind: .normal)
                add(ignoreState, .take, target, take)
                add(ignoreState, .ignore, ignoreState, ignore)
                addStopStates(ignoreState)
            } else {
                ignoreState = single
            }
            add(single, .ignore, ignoreState, ignore)
        }
        return single
    }
}
