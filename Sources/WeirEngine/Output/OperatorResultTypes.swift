import WeirFormats

extension WindowOperator {
    /// Per output field: the key fields as their inputs can be, the window
    /// bounds as timestamps, each aggregate as `AggregateSpec.resultType`.
    public func resultTypes(inputKinds: [Int: CellKinds]) -> [ResultFieldType] {
        config.keyFields.map { .cells(inputKinds[$0.slot] ?? .any) } + [.timestampMillis, .timestampMillis]
            + config.aggregates.map { $0.resultType(inputKinds: $0.input.flatMap { inputKinds[$0] } ?? .any) }
    }
}

extension KeyedReduceOperator {
    /// Per output field: the key fields as their inputs can be, then each aggregate.
    public func resultTypes(inputKinds: [Int: CellKinds]) -> [ResultFieldType] {
        config.keyFields.map { .cells(inputKinds[$0.slot] ?? .any) }
            + config.aggregates.map { $0.resultType(inputKinds: $0.input.flatMap { inputKinds[$0] } ?? .any) }
    }
}

extension CEPOperator {
    /// Per output field: the key fields as their inputs can be, then each
    /// measure (count an integer, first/last/min/max the field's kinds or null
    /// when the stage took no event, sum a number, avg a double or null, match
    /// bounds timestamps), then the timed-out flag.
    public func resultTypes(inputKinds: [Int: CellKinds]) -> [ResultFieldType] {
        func kinds(_ slot: Int) -> CellKinds { inputKinds[slot] ?? .any }
        var out: [ResultFieldType] = config.keyFields.map { .cells(kinds($0.slot)) }
        for m in config.measures {
            switch m {
            case .count: out.append(.cells([.int]))
            case .first(_, let s, _), .last(_, let s, _), .min(_, let s, _), .max(_, let s, _):
                out.append(.cells(kinds(s).union([.null])))
            case .sum: out.append(.cells(.number))
            case .avg: out.append(.cells([.double, .null]))
            case .matchStart, .matchEnd: out.append(.timestampMillis)
            }
        }
        if config.timedOutField != nil { out.append(.cells([.bool])) }
        return out
    }
}
