import WeirFormats

/// The message key of a record written to a repartition topic: the `keyBy`
/// fields in the keyed state's byte form (`KeyEncoding`), so that records the
/// operator will count as one key have equal message bytes and the
/// partitioner puts them on one partition. (The readable `MessageKey` form
/// would not do: `7` and `7.0` are one key but two texts, and a null key
/// would have no message key and be spread at random.)
public struct RepartitionKey: Sendable {
    /// Key field names (for the dead-letter message) and the slots holding their values.
    public var names: [String]
    public var slots: [Int]
    /// Checked before the record leaves its source partition, so a record
    /// without a usable event time is dead-lettered with its original bytes
    /// (Kafka timestamps are carried over and checked downstream).
    public var timestamp: TimestampExtractor?

    public init(names: [String], slots: [Int], timestamp: TimestampExtractor?) {
        self.names = names; self.slots = slots; self.timestamp = timestamp
    }

    /// Encodes the key of `row` into `out` (cleared first); throws for a
    /// missing key field or event time, with the message the keyed stage gives.
    /// Returns the event time from the time field (nil for other time sources).
    @inline(__always)
    func encode(_ row: Row, into out: inout [UInt8]) throws(ProcessingError) -> Int64? {
        out.removeAll(keepingCapacity: true)
        for i in 0..<slots.count {
            let s = slots[i]
            guard s < row.cells.count, KeyEncoding.append(row.cells[s], from: row, to: &out) else {
                throw ProcessingError(.expression, "key field \(names[i]) is missing")
            }
        }
        if let timestamp, case .field = timestamp.source {
            do { return try timestamp.extract(row, kafkaTimestampMs: nil) } catch {
                throw ProcessingError(.timestamp, error.message)
            }
        }
        return nil
    }
}
