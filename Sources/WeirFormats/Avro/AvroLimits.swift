/// Bounds the Avro decoder enforces on every record, so hostile input costs
/// bounded time and memory and ends up in the dead-letter topic.
public struct AvroLimits: Sendable, Equatable {
    /// Deepest nesting of records/arrays/maps/unions in the data.
    public var maxDepth: Int
    /// Largest payload (after the 5-byte frame) in bytes.
    public var maxBytes: Int
    /// Most array items plus map entries in one record (zero-byte items such
    /// as nulls would otherwise let a 10-byte count spin for hours).
    public var maxItems: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 1 << 20, maxItems: Int = 1 << 20) {
        self.maxDepth = min(max(maxDepth, 1), 10_000)
        self.maxBytes = min(max(maxBytes, 0), Int(Int32.max) - 16)
        self.maxItems = min(max(maxItems, 0), Int(Int32.max))
    }

    public static let `default` = AvroLimits()
}
