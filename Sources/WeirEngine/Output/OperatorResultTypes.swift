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
