/// A condition on an event. The context gives the events the partial match
/// has taken so far (Flink's `IterativeCondition`): `ctx.events("fail").count`.
public typealias PatternCondition<Event> = (Event, PatternContext<Event>) -> Bool

/// One named stage of a pattern.
public struct PatternStage<Event> {
    public var name: String
    /// How this stage attaches to the previous one (`relaxed` for the first).
    public var contiguity: Contiguity
    /// nil: every event matches (Flink's default `true` condition).
    public var condition: PatternCondition<Event>?
    /// Stop condition of a looping stage.
    public var until: PatternCondition<Event>?
    public var quantifier = Quantifier()
    var quantifierApplied = false
}

/// A pattern sequence, built as Flink's `Pattern` API:
///
///     Pattern<Login>.begin("fail").where { $0.failed }.timesOrMore(3)
///         .followedBy("ok").where { !$0.failed }.within(ms: 300_000)
///
/// Builder calls never throw; the first misuse is kept and reported by
/// `validate()` (and so by `NFA(pattern)`), with the stage it concerns.
public struct Pattern<Event> {
    public private(set) var stages: [PatternStage<Event>]
    public private(set) var skipStrategy: AfterMatchSkipStrategy
    /// `within`: a match needs last − first < this (ms); nil: no bound.
    public private(set) var withinMs: Int64?
    /// The first misuse of the builder, reported by `validate()`.
    public private(set) var builderError: PatternError?

    public static func begin(_ name: String, skip: AfterMatchSkipStrategy = .noSkip) -> Pattern {
        Pattern(stages: [PatternStage(name: name, contiguity: .relaxed)], skipStrategy: skip, withinMs: nil, builderError: nil)
    }

    // MARK: stages

    public func next(_ name: String) -> Pattern { appending(name, .strict) }
    public func followedBy(_ name: String) -> Pattern { appending(name, .relaxed) }
    public func followedByAny(_ name: String) -> Pattern { appending(name, .nonDeterministicRelaxed) }
    public func notNext(_ name: String) -> Pattern { appending(name, .notNext) }
    public func notFollowedBy(_ name: String) -> Pattern { appending(name, .notFollowedBy) }
    /// A stage attached with any contiguity (pipeline files build patterns this way).
    public func then(_ name: String, _ contiguity: Contiguity) -> Pattern { appending(name, contiguity) }

    private func appending(_ name: String, _ contiguity: Contiguity) -> Pattern {
        var p = self
        if contiguity.isNegation, let last = stages.last, last.quantifier.optional {
            p.fail("an optional stage cannot be followed by a not-stage (Flink: optional path to NOT condition is not supported)", stage: name)
        }
        p.stages.append(PatternStage(name: name, contiguity: contiguity))
        return p
    }

    // MARK: conditions

    /// ANDs a condition on the event alone with the stage's condition.
    public func `where`(_ condition: @escaping (Event) -> Bool) -> Pattern {
        `where` { e, _ in condition(e) }
    }

    /// ANDs an iterative condition (it may look at the events already matched).
    public func `where`(_ condition: @escaping PatternCondition<Event>) -> Pattern {
        updatingLast { s in
            if let old = s.condition { s.condition = { e, c in old(e, c) && condition(e, c) } } else { s.condition = condition }
        }
    }

    /// ORs a condition with the stage's condition.
    public func or(_ condition: @escaping (Event) -> Bool) -> Pattern { or { e, _ in condition(e) } }

    public func or(_ condition: @escaping PatternCondition<Event>) -> Pattern {
        updatingLast { s in
            if let old = s.condition { s.condition = { e, c in old(e, c) || condition(e, c) } } else { s.condition = condition }
        }
    }

    /// Stop condition of a looping stage: an event that satisfies it ends the loop.
    public func until(_ condition: @escaping (Event) -> Bool) -> Pattern { until { e, _ in condition(e) } }

    public func until(_ condition: @escaping PatternCondition<Event>) -> Pattern {
        var p = self
        guard var s = p.stages.last else { return p }
        if s.contiguity.isNegation { p.fail("until does not apply to a not-stage", stage: s.name); return p }
        if s.until != nil { p.fail("only one until condition can be applied", stage: s.name); return p }
        if !s.quantifier.isLooping {
            p.fail("until applies only to looping stages (oneOrMore, timesOrMore)", stage: s.name); return p
        }
        s.until = condition
        p.stages[p.stages.count - 1] = s
        return p
    }

    // MARK: quantifiers

    public func times(_ n: Int) -> Pattern {
        guard n > 0 else { return failing("times must be a positive number") }
        return quantified(.times(from: n, to: n))
    }

    public func times(_ from: Int, _ to: Int) -> Pattern {
        guard from >= 0 else { return failing("times: from must be 0 or more") }
        guard to >= from else { return failing("times: to must be at least from (\(from))") }
        guard to > 0 else { return failing("times: from and to cannot both be 0") }
        if from == 0 {   // Flink: times(0, m) = optional + times(1, m)
            return quantified(.times(from: 1, to: to)).updatingLast(option: "optional") { s in s.quantifier.optional = true }
        }
        return quantified(.times(from: from, to: to))
    }

    public func oneOrMore() -> Pattern { quantified(.looping(min: 1)) }

    public func timesOrMore(_ n: Int) -> Pattern {
        guard n > 0 else { return failing("timesOrMore must be a positive number (for zero or more use oneOrMore + optional)") }
        return quantified(.looping(min: n))
    }

    public func optional() -> Pattern {
        if let s = stages.last, s.quantifier.optional { return failing("optional is already applied (times(0, n) is optional)") }
        // Flink checks this in optional() only: times(0, n) after a greedy stage is accepted
        if stages.count >= 2, stages[stages.count - 2].quantifier.greedy {
            return failing("optional() cannot follow a greedy stage")
        }
        return updatingLast(option: "optional") { s in s.quantifier.optional = true }
    }

    /// Greedy loop: the next stage may take only events the loop cannot.
    /// Flink refuses it on a single-event stage.
    public func greedy() -> Pattern {
        if let s = stages.last, !s.contiguity.isNegation, s.quantifier.isSingle {
            return failing("greedy applies only to looping or times stages")
        }
        return updatingLast(option: "greedy") { s in s.quantifier.greedy = true }
    }

    /// Strict contiguity between the events of a looping / times stage.
    public func consecutive() -> Pattern { inner(.strict, "consecutive") }

    /// Non-deterministic relaxed contiguity between the events of a looping / times stage.
    public func allowCombinations() -> Pattern { inner(.nonDeterministicRelaxed, "allowCombinations") }

    /// A match needs last.timestamp − first.timestamp < `ms`. Called more than
    /// once, the smallest bound applies (Flink).
    public func within(ms: Int64) -> Pattern {
        var p = self
        guard ms > 0 else { p.fail("within must be positive"); return p }
        if let w = withinMs, w <= ms { return p }
        p.withinMs = ms
        return p
    }

    public func skip(_ strategy: AfterMatchSkipStrategy) -> Pattern {
        var p = self
        p.skipStrategy = strategy
        return p
    }

    private func quantified(_ kind: Quantifier.Kind) -> Pattern {
        var p = self
        guard var s = p.stages.last else { return p }
        if s.contiguity.isNegation { p.fail("a not-stage cannot be quantified", stage: s.name); return p }
        if s.quantifierApplied { p.fail("a quantifier is already applied to this stage", stage: s.name); return p }
        s.quantifierApplied = true
        s.quantifier.kind = kind
        p.stages[p.stages.count - 1] = s
        return p
    }

    private func inner(_ c: InnerContiguity, _ what: String) -> Pattern {
        var p = self
        guard var s = p.stages.last else { return p }
        if s.quantifier.isSingle {
            p.fail("\(what) applies only to looping or times stages", stage: s.name); return p
        }
        if s.quantifier.inner != .relaxed {
            p.fail(s.quantifier.inner == c ? "\(what) is already applied" : "consecutive and allowCombinations cannot both be applied",
                   stage: s.name)
            return p
        }
        s.quantifier.inner = c
        p.stages[p.stages.count - 1] = s
        return p
    }

    private func updatingLast(option: String? = nil, _ f: (inout PatternStage<Event>) -> Void) -> Pattern {
        var p = self
        guard var s = p.stages.last else { return p }
        if let option, s.contiguity.isNegation {
            p.fail("\(option) does not apply to a not-stage", stage: s.name); return p
        }
        f(&s)
        p.stages[p.stages.count - 1] = s
        return p
    }

    private func failing(_ message: String) -> Pattern {
        var p = self
        p.fail(message, stage: stages.last?.name)
        return p
    }

    private mutating func fail(_ message: String, stage: String? = nil) {
        if builderError == nil { builderError = PatternError(message, stage: stage) }
    }

    // MARK: validation

    /// Every rule Flink enforces (and Weir's own: names without ':'), first failure thrown.
    public func validate() throws(PatternError) {
        if let builderError { throw builderError }
        var names = Set<String>()
        for s in stages {
            if s.name.isEmpty { throw PatternError("a stage needs a name") }
            if s.name.contains(":") { throw PatternError("a stage name cannot contain ':'", stage: s.name) }
            if !names.insert(s.name).inserted { throw PatternError("duplicate stage name; names must be unique", stage: s.name) }
        }
        guard let first = stages.first, let last = stages.last else { throw PatternError("a pattern needs a stage") }
        if first.contiguity.isNegation { throw PatternError("a pattern cannot start with a not-stage", stage: first.name) }
        for (i, s) in stages.enumerated() where i > 0 && s.contiguity.isNegation {
            let prev = stages[i - 1]
            if prev.quantifier.optional {
                throw PatternError("an optional stage cannot be followed by a not-stage (Flink: optional path to NOT condition is not supported)", stage: s.name)
            }
            if s.until != nil || !s.quantifier.isSingle || s.quantifier.optional || s.quantifier.greedy {
                throw PatternError("a not-stage cannot be quantified", stage: s.name)
            }
        }
        if last.contiguity == .notFollowedBy && withinMs == nil {
            throw PatternError("notFollowedBy cannot end a pattern without within", stage: last.name)
        }
        if let target = skipStrategy.stageName, !names.contains(target) {
            throw PatternError("the after-match skip strategy names stage \"\(target)\", which the pattern does not have")
        }
    }
}
