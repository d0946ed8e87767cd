import WeirKafka

/// The chain's sink inside a Kafka task: output, dead letters and late data
/// are all produced by the task's transactional producer, so they commit or
/// abort together with the offsets.
final class KafkaTaskSink: ChainSink {
    private let producer: KafkaProducer
    private let out: KafkaTopicHandle
    private let deadLetters: KafkaTopicHandle?
    private let lateData: KafkaTopicHandle?
    private let pipeline: [UInt8]
    private let keepsInputTimestamp: Bool
    /// The record being processed; valid only inside the poll callback.
    var current: KafkaMessage?

    init(producer: KafkaProducer, job: JobSpec) throws {
        self.producer = producer
        out = try producer.topic(job.sink.topic)
        deadLetters = try job.deadLetterTopic.map { try producer.topic($0) }
        lateData = try job.stateful?.lateDataTopic.map { try producer.topic($0) }
        pipeline = Array(job.name.utf8)
        keepsInputTimestamp = job.sink.keepsInputTimestamp
    }

    @inline(__always)
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        if keepsInputTimestamp, let msg = current, case let ts = msg.timestamp, ts >= 0 {
            try producer.produce(out, key: key, value: value, timestampMs: ts)
        } else {
            try producer.produce(out, key: key, value: value)
        }
    }

    /// Original key, value and headers, plus what went wrong and where it came from.
    func deadLetter(_ error: ProcessingError) throws {
        guard let topic = deadLetters, let msg = current else { return }   // no dead-letter topic: counted only
        let headers = [
            KafkaHeader(name: "weir.error.class", value: Array(error.kind.rawValue.utf8)),
            KafkaHeader(name: "weir.error.message", value: Array(error.message.utf8)),
        ] + origin(msg) + msg.headers()
        try producer.produce(topic, key: msg.key, value: msg.value, headers: headers)
    }

    func late() throws {
        guard let topic = lateData, let msg = current else { return }
        try producer.produce(topic, key: msg.key, value: msg.value, headers: origin(msg) + msg.headers())
    }

    private func origin(_ msg: KafkaMessage) -> [KafkaHeader] {
        [
            KafkaHeader(name: "weir.source.topic", value: Array(msg.topic.utf8)),
            KafkaHeader(name: "weir.source.partition", value: Array(String(msg.partition).utf8)),
            KafkaHeader(name: "weir.source.offset", value: Array(String(msg.offset).utf8)),
            KafkaHeader(name: "weir.pipeline", value: pipeline),
        ]
    }
}
