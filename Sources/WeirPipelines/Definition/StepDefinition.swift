/// One item of `steps:`.
public struct StepDefinition {
    public enum Kind {
        /// Keep records for which the expression is true.
        case filter(PipelineExpression)
        /// Add or overwrite top-level fields with computed values.
        case map([MapEntry])
        /// Rename top-level fields (all at once, so `{a: b, b: a}` swaps).
        case rename([RenameEntry])
        /// Remove top-level fields.
        case drop([Located<String>])
        /// Keep only these fields, in this order.
        case select([SelectEntry])
        /// Key the stream for the stateful step that follows (window or reduce).
        case keyBy([KeyEntry])
        /// Group each key's records into windows (followed by aggregate).
        case window(WindowDefinition)
        /// The aggregates of each (key, window).
        case aggregate([AggregateEntry])
        /// A running aggregate per key, emitted after every record.
        case reduce([AggregateEntry])
        /// A CEP pattern per key: one row per match.
        case pattern(PatternDefinition)
    }

    /// The step kind's name as written (`keyBy`), for messages.
    public var kindName: String {
        switch kind {
        case .filter: return "filter"
        case .map: return "map"
        case .rename: return "rename"
        case .drop: return "drop"
        case .select: return "select"
        case .keyBy: return "keyBy"
        case .window: return "window"
        case .aggregate: return "aggregate"
        case .reduce: return "reduce"
        case .pattern: return "pattern"
        }
    }

    public var kind: Kind
    /// The step's key (`steps[2].map`).
    public var location: SourceLocation
    /// The index in `steps:`.
    public var index: Int
}

public struct MapEntry {
    public var name: Located<String>
    public var value: PipelineExpression
}

public struct RenameEntry {
    public var from: Located<String>
    public var to: Located<String>
}

public struct SelectEntry {
    /// Output field name (the alias, or the last component of a field path).
    public var name: Located<String>
    public var value: PipelineExpression
}
