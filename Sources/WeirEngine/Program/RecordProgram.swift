import WeirFormats

/// The stateless part of a pipeline, compiled: which fields to decode, the
/// steps to run on each row, and the shape of the output record.
///
/// Slots are assigned once (like SSA): slots `0..<inputFields.count` hold the
/// decoded input fields, later slots hold computed values.
public struct RecordProgram {
    public enum Step {
        /// Keep the record only if the expression is `true`.
        case filter(RowExpression)
        /// Evaluate into a slot.
        case assign(slot: Int, RowExpression)
    }

    /// How the output record is built.
    public enum Output {
        /// The input bytes unchanged (filter-only pipelines): no re-encoding.
        case original
        /// The input record with top-level fields removed and fields appended
        /// (map/rename/drop): `append` values come from slots, in order.
        case edited(removed: Set<String>, append: [(name: String, slot: Int)])
        /// Only the listed fields (select).
        case projected([(name: String, slot: Int)])
    }

    public var inputFields: [FieldPath]
    public var slotCount: Int
    public var steps: [Step]
    public var output: Output
    /// Expression for the output message key; nil keeps the input key.
    public var outputKey: RowExpression?
    /// Set for the first stage of a repartitioned pipeline: the message key is
    /// the encoded `keyBy` fields (overrides `outputKey`).
    public var repartitionKey: RepartitionKey?

    public init(inputFields: [FieldPath], slotCount: Int, steps: [Step], output: Output, outputKey: RowExpression? = nil) {
        precondition(slotCount >= inputFields.count, "slotCount must cover the input fields")
        self.inputFields = inputFields
        self.slotCount = slotCount
        self.steps = steps
        self.output = output
        self.outputKey = outputKey
    }
}
