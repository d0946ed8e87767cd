import WeirEngine

/// One key of `keyBy`: its output name and the expression computing it (a
/// field path, or `expression as name`).
public struct KeyEntry {
    public var name: Located<String>
    public var value: PipelineExpression
}

/// `window:` — the window kind and allowed lateness.
public struct WindowDefinition {
    public var spec: WindowSpec
    public var allowedLatenessMs: Int64
    /// Where `allowedLateness` was written; nil if absent.
    public var allowedLatenessLocation: SourceLocation?
}

/// One output field of `aggregate` / `reduce`: `name: function(input, …)`.
public struct AggregateEntry {
    public enum Function: String, CaseIterable {
        case count, sum, min, max, avg, first, last
        case countDistinct = "count_distinct"
        case collect
    }

    public var name: Located<String>
    public var function: Function
    /// The input; nil for `count()`. Its syntax is the argument's, inside the call's text.
    public var input: PipelineExpression?
    /// `collect(x, maxSize)`.
    public var maxSize: Int?
    /// The whole call as written.
    public var call: PipelineExpression
}
