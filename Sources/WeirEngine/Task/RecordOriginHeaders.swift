import WeirKafka

/// The headers Weir adds to a dead-lettered or late record, before the
/// record's own (docs/architecture.md, "Dead letters"). Shared by the Kafka
/// task and the test driver, so tests see what production writes. Error path
/// only: allocates.
enum RecordOriginHeaders {
    /// `weir.error.class` and `weir.error.message`.
    static func error(_ error: ProcessingError) -> [KafkaHeader] {
        [
            KafkaHeader(name: "weir.error.class", value: Array(error.kind.rawValue.utf8)),
            KafkaHeader(name: "weir.error.message", value: Array(error.message.utf8)),
        ]
    }

    /// Where the record was read, and by which pipeline (job).
    static func origin(topic: String, partition: Int32, offset: Int64, pipeline: [UInt8]) -> [KafkaHeader] {
        [
            KafkaHeader(name: "weir.source.topic", value: Array(topic.utf8)),
            KafkaHeader(name: "weir.source.partition", value: Array(String(partition).utf8)),
            KafkaHeader(name: "weir.source.offset", value: Array(String(offset).utf8)),
            KafkaHeader(name: "weir.pipeline", value: pipeline),
        ]
    }
}
