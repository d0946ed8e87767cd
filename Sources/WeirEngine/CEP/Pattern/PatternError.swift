/// A pattern Flink would refuse too (its `MalformedPatternException` and the
/// checks of `Pattern`/`NFACompiler`), or one Weir cannot run. `stage` names
/// the stage at fault, when there is one, so pipeline files can point at it.
public struct PatternError: Error, Equatable, Sendable, CustomStringConvertible {
    public var stage: String?
    public var message: String
    public init(_ message: String, stage: String? = nil) {
        self.message = message
        self.stage = stage
    }
    public var description: String { stage.map { "stage \"\($0)\": \(message)" } ?? message }
}
