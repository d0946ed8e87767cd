/// The shape a pipeline's steps must have: stateless steps (filter, map,
/// rename, drop, select), then optionally `keyBy` + `window` + `aggregate` or
/// `keyBy` + `reduce`, and nothing after those (their output rows are final;
/// steps on them are not supported yet). Returns the first violation only —
/// later ones would follow from it.
enum StepOrder {
    private enum State { case stateless, keyed, windowed, done }

    static func check(_ steps: [StepDefinition]) -> Diagnostic? {
        var state = State.stateless
        var last: StepDefinition?
        for step in steps {
            defer { last = step }
            let at = step.location
            switch (state, step.kind) {
            case (.stateless, .keyBy): state = .keyed
            case (.stateless, .window):
                return at.diagnostic("a window groups the records of each key: put a keyBy step before it (e.g. - keyBy: [user_id])")
            case (.stateless, .aggregate):
                return at.diagnostic("aggregate needs keyBy and window steps before it (for a running aggregate per key without windows, use keyBy + reduce)")
            case (.stateless, .reduce):
                return at.diagnostic("reduce needs a keyBy step before it (e.g. - keyBy: [user_id])")
            case (.stateless, .pattern):
                return at.diagnostic("a pattern is matched per key: put a keyBy step before it (e.g. - keyBy: [user_id])")
            case (.stateless, _): continue
            case (.keyed, .window): state = .windowed
            case (.keyed, .reduce), (.keyed, .pattern): state = .done
            case (.keyed, _):
                return at.diagnostic("after keyBy comes window (then aggregate), reduce or pattern, found \(step.kindName); put \(step.kindName) steps before keyBy")
            case (.windowed, .aggregate): state = .done
            case (.windowed, _):
                return at.diagnostic("after window comes aggregate (what to compute per window), found \(step.kindName)")
            case (.done, _):
                // `last` is the aggregate or reduce step: the first step after it returns here
                let what = last?.kindName ?? "aggregate"
                return at.diagnostic("steps after \(what) are not supported yet: its rows are the job's output; put filter and map steps before keyBy")
            }
        }
        switch state {
        case .keyed:
            return last?.location.diagnostic("keyBy must be followed by window and aggregate, or by reduce, or by pattern")
        case .windowed:
            return last?.location.diagnostic("window must be followed by aggregate (e.g. - aggregate: {orders: count(), revenue: sum(amount)})")
        default:
            return nil
        }
    }
}
