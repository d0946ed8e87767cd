/// A keyed pattern: `keyBy(keyFields).pattern(pattern)` with the rows it emits.
public struct CEPOperatorConfig {
    public var keyFields: [WindowOperatorConfig.KeyField]
    public var pattern: Pattern<CEPEvent>
    public var timeDomain: TimeDomain
    public var measures: [CEPMeasure]
    /// Partial matches a key may hold; past it the earliest-started ones are
    /// dropped (and counted). Flink has no bound; without one a pattern like
    /// `a+` without `within` grows without end.
    public var maxPartialMatchesPerKey: Int
    public static let defaultMaxPartialMatchesPerKey = 10_000
    /// When set, partial matches that `within` timed out are emitted too, with
    /// this boolean field true (false on matches) and measures over what they took.
    public var timedOutField: String?
    /// When true, timed-out partial matches go to `OperatorOutput.timedOut`
    /// (the job's timed-out destination) instead of the output.
    public var routesTimedOut = false
    /// Slots of the input rows (the values an event keeps).
    public var inputSlotCount: Int
    /// The input's field names by slot, so conditions can say `event["amount"]`.
    public var inputFieldNames: [String]?

    public init(keyFields: [WindowOperatorConfig.KeyField], pattern: Pattern<CEPEvent>,
                timeDomain: TimeDomain = .eventTime, measures: [CEPMeasure],
                maxPartialMatchesPerKey: Int = defaultMaxPartialMatchesPerKey, timedOutField: String? = nil, inputSlotCount: Int,
                inputFieldNames: [String]? = nil) {
        self.keyFields = keyFields; self.pattern = pattern; self.timeDomain = timeDomain
        self.measures = measures; self.maxPartialMatchesPerKey = maxPartialMatchesPerKey
        self.timedOutField = timedOutField; self.inputSlotCount = inputSlotCount
        self.inputFieldNames = inputFieldNames
    }
}
