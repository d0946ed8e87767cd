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
