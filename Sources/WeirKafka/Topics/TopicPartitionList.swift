import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` for the duration of one control-plane call.
/// Not used on the per-record path.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: capacity))
    }

    /// Adopts a list librdkafka handed over (e.g. from rd_kafka_assignment).
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    convenience init(_ partitions: [TopicPartition]) {
        self.init(capacity: partitions.count)
        for tp in partitions { rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition) }
    }

    convenience init(_ offsets: [TopicPartitionOffset]) {
        self.init(capacity: offsets.count)
        for tpo in offsets {
            rd_kafka_topic_partition_list_add(pointer, tpo.topic, tpo.partition).pointee.offset = tpo.offset
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    static func partitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).compactMap { i in
            guard let topic = elems[i].topic else { return nil }
            return TopicPartition(topic: String(cString: topic), partition: elems[i].partition)
        }
    }

    var partitions: [TopicPartition] { TopicPartitionList.partitions(of: pointer) }

    var offsets: [TopicPartitionOffset] {
        guard let elems = pointer.pointee.elems else { return [] }
        return (0..<Int(pointer.pointee.cnt)).compactMap { i in
            guard let topic = elems[i].topic else { return nil }
            return TopicPartitionOffset(topic: String(cString: topic), partition: elems[i].partition, offset: elems[i].offset)
        }
    }

    /// The first per-partition error, if any (librdkafka reports some failures only there).
    var firstError: KafkaError? {
        guard let elems = pointer.pointee.elems else { return nil }
        for i in 0..<Int(pointer.pointee.cnt) where elems[i].err.rawValue != 0 {
            let where_ = elems[i].topic.map { String(cString: $0) } ?? "?"
            return KafkaError(code: elems[i].err,
                              message: "\(where_)[\(elems[i].partition)]: \(String(cString: rd_kafka_err2str(elems[i].err)))")
        }
        return nil
    }
}
