import WeirFormats

extension AggregateSpec {
    /// What this aggregate's result cell can be, given what its input can be
    /// (docs/windows.md, "Aggregates"; the Avro schema of results follows it).
    ///
    /// Every aggregate that can see no value in a window (all inputs null or
    /// missing, all NaN for min/max) is nullable, whatever its input's kinds.
    public func resultType(inputKinds: CellKinds) -> ResultFieldType {
        let values = inputKinds.nonNull.isEmpty ? CellKinds.any.nonNull : inputKinds.nonNull
        var numbers = values.intersection(.number)
        if numbers.isEmpty { numbers = .number }             // other kinds fail the record, they never reach the result
        switch function {
        case .count, .countDistinct:
            return .cells(.int)
        case .sum:
            // An int sum stays an int until it overflows Int64; then it is promoted to a double.
            return .cells(numbers.contains(.int) ? [.null, .int, .double] : [.null, .double])
        case .avg:
            return .cells([.null, .double])
        case .min, .max:
            return .cells(numbers.union(.null))
        case .first, .last:
            return .cells(values.union(.null))
        case .collect:
            return .list(values)
        case .custom:
            return .cells(.any)
        }
    }
}
