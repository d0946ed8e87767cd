/// Delivery reports counted by a producer since it was created.
public struct DeliveryStats: Sendable {
    public var delivered: Int = 0
    public var failed: Int = 0
    /// The most recent failed delivery.
    public var lastFailure: KafkaError?
}
