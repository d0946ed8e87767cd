import WeirEngine

/// `pattern:` — a CEP pattern over each key's events (docs/cep.md, "In pipeline files").
public struct PatternDefinition {
    /// One named stage, as written; the builder calls are made in `PatternStep.compile`.
    public struct Stage {
        public var name: Located<String>
        /// How the stage attaches to the previous one (`relaxed` for the first).
        public var contiguity: Contiguity
        public var condition: PipelineExpression?
        public var until: PipelineExpression?
        /// `times: n` is `(n, n)`; `times: [n, m]` is `(n, m)`.
        public var times: (from: Int, to: Int)?
        public var timesOrMore: Int?
        public var oneOrMore = false
        public var optional = false
        public var greedy = false
        public var consecutive = false
        public var allowCombinations = false
        /// The stage item (`- name: …`).
        public var location: SourceLocation
        /// Where each option key was written, so a refusal points at the option at fault.
        public var optionLocations: [String: SourceLocation] = [:]
    }

    public var stages: [Stage]
    public var withinMs: Int64?
    public var skip: AfterMatchSkipStrategy
    /// Output fields after the key fields: `name: first(fail.ip)`, `count(fail)`, `match_start()`, …
    public var measures: [(name: Located<String>, value: PipelineExpression)]
    /// `timedOut: {field: timed_out}`: also emit partial matches that `within` timed out, flagged by this field.
    public var timedOutField: Located<String>?
    /// `timedOut: {topic: …}` (or `{file: …}`): timed-out partial matches go there instead of being counted.
    public var timedOutDestination: DestinationDefinition?
    /// The per-key cap on partial matches (docs/cep.md, "State, memory and limits").
    public var maxPartialMatchesPerKey = CEPOperatorConfig.defaultMaxPartialMatchesPerKey
    /// Where `within`, `afterMatch` and the step itself were written.
    public var withinLocation: SourceLocation?
    public var skipLocation: SourceLocation?
    public var location: SourceLocation
}
