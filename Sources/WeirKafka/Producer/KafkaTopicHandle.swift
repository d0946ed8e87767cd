import CRdKafka

/// A producer's cached `rd_kafka_topic_t`, so producing does not look the topic up by
/// name per record. Valid only with the producer that made it, while it is open.
public final class KafkaTopicHandle {
    public let name: String
    let pointer: OpaquePointer
    let owner: ObjectIdentifier

    init(name: String, pointer: OpaquePointer, owner: ObjectIdentifier) {
        self.name = name
        self.pointer = pointer
        self.owner = owner
    }
}
