import WeirKafka

/// A record going into or coming out of a pipeline under test
/// (`PipelineTestDriver`): what a Kafka record carries.
public struct TestRecord: Equatable, Sendable {
    public var topic: String
    public var partition: Int
    /// Per topic partition, from 0, in the order records were written.
    public var offset: Int64
    public var key: [UInt8]?
    /// nil: a tombstone (no value).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// The Kafka timestamp (CreateTime): as given, else the driver's clock when written.
    public var timestampMs: Int64

    public init(topic: String, partition: Int = 0, offset: Int64 = 0, key: [UInt8]? = nil, value: [UInt8]?,
                headers: [KafkaHeader] = [], timestampMs: Int64 = 0) {
        self.topic = topic; self.partition = partition; self.offset = offset
        self.key = key; self.value = value; self.headers = headers; self.timestampMs = timestampMs
    }

    /// The value as text (UTF-8; invalid bytes replaced).
    public var valueText: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    /// The key as text (UTF-8; invalid bytes replaced).
    public var keyText: String? { key.map { String(decoding: $0, as: UTF8.self) } }

    /// The value of the last header named `name`, as text.
    public func header(_ name: String) -> String? {
        headers.last { $0.name == name }.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
    }
}

/// A record the pipeline could not process: the record as the dead-letter
/// topic gets it (its key, value and headers, Weir's `weir.*` headers first)
/// and why.
public struct TestDeadLetter: Equatable, Sendable {
    public var record: TestRecord
    public var errorClass: ProcessingError.Kind
    public var message: String
    /// The job (stage) that refused it: the pipeline's name, or its repartition stage's.
    public var stage: String
}
