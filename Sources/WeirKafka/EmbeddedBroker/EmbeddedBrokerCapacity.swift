/// How much one partition of the embedded broker holds. librdkafka 2.0.2's mock
/// cluster keeps at most 5 MiB or 100,000 batches per partition and silently
/// drops the oldest beyond that, so input written faster than it is read is
/// lost and a job waiting for it waits for ever. Commands that write a known
/// number of events (`weir bench`, `weir dev --generate`, `weir generate`)
/// ask here first and create enough partitions or stop with this message.
public enum EmbeddedBrokerCapacity {
    public static let partitionBytes = 5 << 20
    public static let partitionBatches = 100_000
    /// Partitions created for a known number of events are filled to three
    /// quarters at most (keys hash unevenly); existing topics are refused only
    /// when the events would fill them past 95%, so that what works is not refused.
    public static let plannedFill = 0.75
    public static let refusedFill = 0.95

    /// Partitions that hold `events` records of about `bytesPerEvent` bytes
    /// (key, value and their share of batch headers) filled to `fill` at most.
    public static func partitionsNeeded(events: Int, bytesPerEvent: Int, fill: Double = plannedFill) -> Int {
        guard events > 0 else { return 1 }
        let usable = min(max(fill, 0.01), 1)
        let byBytes = (Double(events) * Double(max(bytesPerEvent, 1)) / (Double(partitionBytes) * usable)).rounded(.up)
        let byBatches = (Double(events) / (Double(partitionBatches) * usable)).rounded(.up)
        return max(1, Int(min(max(byBytes, byBatches), Double(Int32.max))))
    }

    /// nil when `partitions` of `topic` hold the events; otherwise what to tell the user.
    public static func shortfall(topic: String, partitions: Int, events: Int, bytesPerEvent: Int, fix: String) -> String? {
        guard partitions < partitionsNeeded(events: events, bytesPerEvent: bytesPerEvent, fill: refusedFill) else { return nil }
        let needed = partitionsNeeded(events: events, bytesPerEvent: bytesPerEvent)
        let mb = Double(events) * Double(bytesPerEvent) / 1e6
        return "\(events) events (about \(Int(mb.rounded())) MB) need at least \(needed) partitions of \(topic) on the embedded broker, which keeps at most 5 MiB (or 100,000 batches) per partition and drops older records beyond that; \(topic) has \(partitions). \(fix)"
    }
}

extension KafkaAdmin {
    /// On the embedded broker, `EmbeddedBrokerCapacity.shortfall` for `topic` as it
    /// stands (an unknown topic auto-creates with 4 partitions); nil on a real Kafka,
    /// which keeps what its retention says. `fix` gets the partitions needed.
    public func embeddedBrokerShortfall(topic: String, events: Int, bytesPerEvent: Int,
                                        fix: (_ partitionsNeeded: Int) -> String) throws -> String? {
        guard isEmbeddedBroker() else { return nil }
        let count = try partitionCount(topic: topic) ?? 4
        let needed = EmbeddedBrokerCapacity.partitionsNeeded(events: events, bytesPerEvent: bytesPerEvent)
        return EmbeddedBrokerCapacity.shortfall(topic: topic, partitions: count, events: events,
                                                bytesPerEvent: bytesPerEvent, fix: fix(needed))
    }
}
