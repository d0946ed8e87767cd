/// Bounds the JSON decoder enforces on every record, so that hostile or broken
/// input costs bounded time and memory and ends up in the dead-letter topic.
public struct JSONLimits: Sendable, Equatable {
    /// Deepest nesting of objects/arrays; the top-level object is depth 1.
    public var maxDepth: Int
    /// Largest document (payload, without a Confluent frame) in bytes.
    public var maxBytes: Int

    /// Values are clamped to what the decoder can represent (spans are 32-bit),
    /// rather than trapping on a misconfiguration.
    public init(maxDepth: Int = 64, maxBytes: Int = 1 << 20) {
        self.maxDepth = min(max(maxDepth, 1), 10_000)
        self.maxBytes = min(max(maxBytes, 0), Int(Int32.max) - 16)
    }

    public static let `default` = JSONLimits()
}
