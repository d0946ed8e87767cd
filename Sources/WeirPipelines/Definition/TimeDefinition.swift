import WeirEngine
import WeirFormats

/// `time:` — where event time comes from and how the watermark follows it, or
/// processing time. Used by window and reduce steps.
public struct TimeDefinition {
    public enum Kind {
        /// A field of the record as it reaches `keyBy` (after the stateless steps).
        case field(Located<FieldPath>, TimestampFormat)
        /// The Kafka record timestamp.
        case kafkaTimestamp
        /// The operator stamps records with the wall clock when they arrive.
        case processingTime
    }

    public var kind: Kind
    public var maxOutOfOrdernessMs: Int64
    /// nil: partitions are never idle.
    public var idleTimeoutMs: Int64?
    /// Where `watermark:` was written (processing time refuses it); nil if absent.
    public var watermarkLocation: SourceLocation?
    /// The `time` key.
    public var location: SourceLocation
}
