import CRdKafka

/// The consumer's group identity (group, generation, member) as the transactional
/// producer needs it for `sendOffsetsToTransaction`; the generation is what lets the
/// broker fence a zombie task. Owns an `rd_kafka_consumer_group_metadata_t`.
public final class ConsumerGroupMetadata {
    let pointer: OpaquePointer

    init(adopting pointer: OpaquePointer) { self.pointer = pointer }

    deinit { rd_kafka_consumer_group_metadata_destroy(pointer) }
}
