import WeirEngine
import Yams

/// `- aggregate: {orders: count(), revenue: sum(amount)}` — the results of
/// each (key, window): one output row per window with the key fields,
/// `window_start`, `window_end` and these fields. Functions (docs/windows.md):
/// count() and count(x), sum, min, max, avg, first, last, count_distinct,
/// collect(x, maxSize). An input may be any expression (`sum(amount * 100)`).
enum AggregateStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        entries(node, field, &reader).map { .aggregate($0) }
    }

    /// The `name: function(…)` entries (shared with reduce).
    static func entries(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> [AggregateEntry]? {
        guard let m = reader.openMapping(node, field, expected: "a mapping of output names to aggregates, e.g. {orders: count(), revenue: sum(amount)}") else { return nil }
        if m.entries.isEmpty { reader.error(field, node, "expected at least one aggregate, found an empty mapping"); return nil }
        var out: [AggregateEntry] = []
        var ok = true
        for e in m.entries {
            let path = m.path(e.key)
            guard let name = reader.fieldName(e.keyNode, path) else { ok = false; continue }
            if case .scalar(let s) = e.value, s.string.filter({ !$0.isWhitespace }).lowercased() == "count(*)" {
                reader.error(path, e.value, "write count() to count records (count(x) counts non-null values of x)")
                ok = false
                continue
            }
            guard let call = reader.expression(e.value, path), let entry = entry(name, call, &reader) else { ok = false; continue }
            out.append(entry)
        }
        return ok ? out : nil
    }

    static let functionNames = AggregateEntry.Function.allCases.map(\.rawValue)

    private static func entry(_ name: Located<String>, _ call: PipelineExpression, _ reader: inout YAMLReader) -> AggregateEntry? {
        guard case .call(let fname, let args) = call.syntax.kind else {
            reader.append(call.location.diagnostic(
                "expected an aggregate such as count(), sum(\(call.text)) or collect(\(call.text), 10), found '\(call.text)'"))
            return nil
        }
        let at = call.location(ofByteOffset: call.syntax.start)
        let lowered = fname.lowercased()
        guard let function = AggregateEntry.Function(rawValue: lowered == "countdistinct" ? "count_distinct" : lowered) else {
            reader.append(at.diagnostic("unknown aggregate function '\(fname)'\(ClosestMatch.hint(for: fname, among: functionNames)) (expected one of: \(functionNames.joined(separator: ", ")))"))
            return nil
        }
        func input(_ i: Int) -> PipelineExpression {
            PipelineExpression(text: call.text, location: call.location, syntax: args[i], positions: call.positions)
        }
        switch function {
        case .count:
            guard args.count <= 1 else {
                reader.append(at.diagnostic("count takes no input (count() counts records) or one (count(x) counts non-null values of x), found \(args.count)"))
                return nil
            }
            return AggregateEntry(name: name, function: .count, input: args.isEmpty ? nil : input(0), maxSize: nil, call: call)
        case .collect:
            guard args.count == 2 else {
                reader.append(at.diagnostic("collect takes an input and the most values to keep, e.g. collect(page, 10); found \(args.count) argument\(args.count == 1 ? "" : "s")"))
                return nil
            }
            guard case .literal(.int(let n)) = args[1].kind, n >= 1, n <= 1_000_000 else {
                reader.append(call.location(ofByteOffset: args[1].start).diagnostic(
                    "collect's second argument is the most values to keep: an integer from 1 to 1000000"))
                return nil
            }
            return AggregateEntry(name: name, function: .collect, input: input(0), maxSize: Int(n), call: call)
        default:
            guard args.count == 1 else {
                reader.append(at.diagnostic("\(function.rawValue) takes one input, e.g. \(function.rawValue)(amount); found \(args.count)"))
                return nil
            }
            return AggregateEntry(name: name, function: function, input: input(0), maxSize: nil, call: call)
        }
    }

    static func compile(_ entries: [AggregateEntry], step: StepDefinition, into b: inout ProgramBuilder) {
        b.stateful.aggregateStep = step
        for e in entries {
            var slot = 0
            if let input = e.input {
                guard let c = b.compile(input) else { continue }
                switch e.function {
                case .sum, .avg, .min, .max:
                    if c.type.neverFits(.number) {
                        b.error(input.location(ofByteOffset: input.syntax.start), "\(e.function.rawValue) needs numbers, found \(c.type)")
                        continue
                    }
                default: break
                }
                let kinds = b.cellKinds(c, input)
                slot = b.slot(for: b.bind(c, input))
                b.stateful.inputKinds[slot] = kinds
            }
            let spec: AggregateSpec
            switch e.function {
            case .count: spec = e.input == nil ? .count(as: e.name.value) : .count(slot, as: e.name.value)
            case .sum: spec = .sum(slot, as: e.name.value)
            case .min: spec = .min(slot, as: e.name.value)
            case .max: spec = .max(slot, as: e.name.value)
            case .avg: spec = .avg(slot, as: e.name.value)
            case .first: spec = .first(slot, as: e.name.value)
            case .last: spec = .last(slot, as: e.name.value)
            case .countDistinct: spec = .countDistinct(slot, as: e.name.value)
            case .collect: spec = .collect(slot, maxSize: e.maxSize ?? 1, as: e.name.value)
            }
            // named by what it computes, so saved state finds it after slots move
            b.stateful.aggregates.append((e.name, spec.inputNamed(e.input?.syntax.canonicalText)))
        }
    }
}
