/// What a task knows about one of its input partitions, published about once a
/// second for the REST API and metrics (`GET /jobs/{id}/lag`, `/watermarks`).
public struct PartitionStatus: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The next offset to process.
    public var position: Int64?
    /// The next offset of the last committed checkpoint (what a restart resumes from).
    public var committedOffset: Int64?
    /// The partition's end (high watermark), as the consumer last heard it from the broker.
    public var endOffset: Int64?
    /// Kafka timestamp (ms) of the last record processed.
    public var lastRecordTimestampMs: Int64?
    /// The partition's own watermark (nil before its first record or without event time).
    public var watermarkMs: Int64?
    public var idle: Bool

    /// Records not processed yet.
    public var lagRecords: Int64? {
        guard let position, let endOffset else { return nil }
        return max(0, endOffset - position)
    }

    /// Seconds behind: 0 when caught up; otherwise the age of the last record
    /// processed, an upper bound of the oldest unprocessed record's age (whose
    /// timestamp librdkafka has not told us without fetching it).
    public func lagSeconds(nowMs: Int64) -> Double? {
        guard let lag = lagRecords else { return nil }
        if lag == 0 { return 0 }
        guard let ts = lastRecordTimestampMs, ts > 0 else { return nil }
        return Double(max(0, nowMs - ts)) / 1000
    }

    public init(topic: String, partition: Int32, position: Int64?, committedOffset: Int64?, endOffset: Int64?,
                lastRecordTimestampMs: Int64?, watermarkMs: Int64?, idle: Bool) {
        self.topic = topic; self.partition = partition; self.position = position; self.committedOffset = committedOffset
        self.endOffset = endOffset; self.lastRecordTimestampMs = lastRecordTimestampMs; self.watermarkMs = watermarkMs; self.idle = idle
    }
}

/// One dead-lettered record, kept for `GET /jobs/{id}/dead-letters`.
public struct DeadLetterSample: Sendable, Equatable {
    public var timestampMs: Int64
    public var errorClass: String
    public var reason: String
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The first bytes of the value (at most `previewBytes`).
    public var preview: [UInt8]
    public var valueBytes: Int

    public static let previewBytes = 256
}
