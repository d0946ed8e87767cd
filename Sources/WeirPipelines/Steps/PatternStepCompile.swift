import WeirEngine
import WeirFormats

/// Compiling a `pattern` step: conditions into expression nodes over the
/// event's slots plus one slot per stage reference; measures into `CEPMeasure`s.
extension PatternStep {
    static let measureFunctions = StageReference.names + ["match_start", "match_end"]

    static func compile(_ d: PatternDefinition, step: StepDefinition, into b: inout ProgramBuilder) {
        var plan = PatternPlan(definition: d, step: step)
        let stages = d.stages.map(\.name.value)
        for s in d.stages {
            let c = s.condition.flatMap { condition($0, stages: stages, &b) }
            let u = s.until.flatMap { condition($0, stages: stages, &b) }
            plan.conditions.append((c, u))
        }
        for (name, value) in d.measures {
            if let m = measure(name.value, value, stages: stages, &b) { plan.measures.append((name, m)) }
        }
        b.stateful.pattern = plan
    }

    /// A `where`/`until`: a boolean expression; stage references become slots filled per test.
    private static func condition(_ e: PipelineExpression, stages: [String], _ b: inout ProgramBuilder) -> CompiledPatternCondition? {
        var found: [StageReference] = []
        let syntax: ExpressionSyntax
        do { syntax = try StageReference.replace(in: e.syntax, stages: stages, found: &found) } catch {
            b.append(e.diagnostic(error))
            return nil
        }
        var reserved: [FieldPath: FieldResolution] = [:]
        var bound: [BoundStageReference] = []
        for (i, ref) in found.enumerated() {
            var fieldSlot = 0
            if let field = ref.field {
                guard let s = eventSlot(field, at: ref.offset, e, &b) else { return nil }
                fieldSlot = s
            }
            let slot = b.newSlot()
            reserved[StageReference.placeholder(i)] = .slot(slot, ref.type)
            bound.append(BoundStageReference(function: ref.function, stage: ref.stage, fieldSlot: fieldSlot, slot: slot))
        }
        let rewritten = PipelineExpression(text: e.text, location: e.location, syntax: syntax, positions: e.positions)
        guard let c = b.compile(rewritten, reserved: reserved) else { return nil }
        if c.type.neverFits(.bool) {
            b.error(e.location, "a stage condition must be a boolean expression, found \(c.type)")
            return nil
        }
        var eventSlots: [Int] = []
        for path in syntax.referencedFields where reserved[path] == nil {
            if case .success(let binding) = b.scope.resolve(path) {
                let slot = b.slot(for: binding)
                if !eventSlots.contains(slot) { eventSlots.append(slot) }
            }
        }
        return CompiledPatternCondition(node: c.node, references: bound, eventSlots: eventSlots)
    }

    /// The slot of a field of the events (as the record is at the pattern step).
    private static func eventSlot(_ field: FieldPath, at offset: Int, _ e: PipelineExpression, _ b: inout ProgramBuilder) -> Int? {
        switch b.scope.resolve(field) {
        case .success(let binding):
            let slot = b.slot(for: binding)
            // what the field can hold, for the results' Avro schema (as aggregate inputs)
            switch binding {
            case .input(let p):
                var kinds = b.readerSchema?.cellKinds(at: p) ?? .any
                if b.requiredPaths.contains(p) { kinds.remove(.null) }
                b.stateful.inputKinds[slot] = kinds
            case .computed(_, let type): b.stateful.inputKinds[slot] = type.cellKinds
            }
            return slot
        case .failure(let problem):
            b.error(e.location(ofByteOffset: offset), problem.message)
            return nil
        }
    }

    /// `name: count(fail)`, `first(fail.ip)`, …, `match_start()`, `match_end()`.
    private static func measure(_ name: String, _ e: PipelineExpression, stages: [String], _ b: inout ProgramBuilder) -> CEPMeasure? {
        let at = e.location(ofByteOffset: e.syntax.start)
        guard case .call(let fname, let args) = e.syntax.kind else {
            b.error(at, "expected a measure such as count(stage), first(stage.field) or match_start(), found '\(e.text)'")
            return nil
        }
        switch fname.lowercased() {
        case "match_start", "match_end":
            guard args.isEmpty else { b.error(at, "\(fname)() takes no argument"); return nil }
            return fname.lowercased() == "match_start" ? .matchStart(as: name) : .matchEnd(as: name)
        default: break
        }
        let ref: StageReference
        do {
            guard let r = try StageReference.parse(e.syntax, stages: stages) else {
                b.error(at, "unknown measure function '\(fname)'\(ClosestMatch.hint(for: fname, among: measureFunctions)) (expected one of: \(measureFunctions.joined(separator: ", ")))")
                return nil
            }
            ref = r
        } catch {
            b.append(e.diagnostic(error))
            return nil
        }
        guard let field = ref.field else { return .count(stage: ref.stage, as: name) }
        guard let slot = eventSlot(field, at: ref.offset, e, &b) else { return nil }
        switch ref.function {
        case .count: return .count(stage: ref.stage, as: name)
        case .first: return .first(stage: ref.stage, slot: slot, as: name)
        case .last: return .last(stage: ref.stage, slot: slot, as: name)
        case .sum: return .sum(stage: ref.stage, slot: slot, as: name)
        case .min: return .min(stage: ref.stage, slot: slot, as: name)
        case .max: return .max(stage: ref.stage, slot: slot, as: name)
        case .avg: return .avg(stage: ref.stage, slot: slot, as: name)
        }
    }
}
