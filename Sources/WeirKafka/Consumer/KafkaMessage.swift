import CRdKafka

/// A non-owning view of one consumed record, valid only inside the `poll` callback
/// that received it: the bytes belong to librdkafka and are freed right after.
public struct KafkaMessage {
    public enum TimestampType: Sendable {
        case notAvailable, createTime, logAppendTime
    }

    let raw: UnsafeMutablePointer<rd_kafka_message_t>
    /// Cached per topic handle by the consumer, so reading it does not allocate.
    public let topic: String

    init(raw: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        self.raw = raw
        self.topic = topic
    }

    public var partition: Int32 { raw.pointee.partition }
    public var offset: Int64 { raw.pointee.offset }

    /// nil for a null key (distinct from an empty one).
    public var key: UnsafeRawBufferPointer? {
        guard let key = raw.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: raw.pointee.key_len)
    }

    /// nil for a null value (a tombstone), distinct from an empty one.
    public var value: UnsafeRawBufferPointer? {
        guard let payload = raw.pointee.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: raw.pointee.len)
    }

    /// Milliseconds since the epoch, or -1 when not available.
    public var timestamp: Int64 {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        return rd_kafka_message_timestamp(raw, &type)
    }

    public var timestampType: TimestampType {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        _ = rd_kafka_message_timestamp(raw, &type)
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return .createTime
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return .logAppendTime
        default: return .notAvailable
        }
    }

    /// The value of the last header called `name`, without copying; nil if absent
    /// (an empty buffer if present without a value). Parses headers on first use.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(raw, &headers).rawValue == 0, let headers else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, name, &value, &size).rawValue == 0 else { return nil }
        return UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : size)
    }

    /// All headers, copied out (allocates: call only when needed, e.g. for dead letters).
    public func headers() -> [KafkaHeader] {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(raw, &headers).rawValue == 0, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size).rawValue == 0 {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }
}
