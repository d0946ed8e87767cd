import CRdKafka

/// Topic administration and metadata on a real Kafka cluster. Its calls block: from
/// async code, wrap them in `KafkaBlocking.run`.
public final class KafkaAdmin {
    private let handle: OpaquePointer
    private var closed = false

    public init(config: KafkaConfig) throws {
        let conf = try config.makeConf(for: .admin)
        rd_kafka_conf_set_log_cb(conf, KafkaLog.callback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.usage("creating admin client: \(KafkaConfig.string(errstr))", code: .invalidArgument)
        }
        self.handle = handle
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_destroy(handle)
    }

    /// Creates topics with CreateTopics; a topic that already exists counts as success.
    /// Throws the first per-topic failure (or the request's own error).
    /// Note: librdkafka 2.0.2's mock cluster does not implement CreateTopics: use
    /// `EmbeddedBroker.createTopic` there.
    /// `config`: topic configs set on every topic created (e.g. `cleanup.policy: compact`).
    public func createTopics(_ topics: [(name: String, partitions: Int, replicationFactor: Int)], config: [String: String] = [:],
                             timeoutMs: Int) throws {
        guard !closed else { throw KafkaError.usage("admin client is closed") }
        guard !topics.isEmpty else { return }
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(topic.name, Int32(clamping: topic.partitions),
                                                       Int32(clamping: topic.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError(code: KafkaErrorCode.invalidArgument.rawValue,
                                 message: "topic \"\(topic.name)\": \(KafkaConfig.string(errstr))", kind: .fatal)
            }
            newTopics.append(newTopic)
            for (name, value) in config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(newTopic, name, value)
                if err.rawValue != 0 { throw KafkaError(code: err, message: "topic \"\(topic.name)\": config \(name)") }
            }
        }
        guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError.usage("rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        guard let queue = rd_kafka_queue_new(handle) else { throw KafkaError.usage("rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)
        // librdkafka always answers before its own request timeout; the margin covers scheduling.
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeoutMs + 5000)) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, message: "CreateTopics got no answer in \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError.rawValue != 0 {
            var text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            if text.contains("controller") {
                // What librdkafka 2.0.2 says against its own mock cluster, which has no controller.
                text += " (no controller: on the embedded broker use EmbeddedBroker.createTopic)"
            }
            throw KafkaError(code: eventError, message: "CreateTopics: \(text)", handle: handle)
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError.usage("CreateTopics returned an unexpected event")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for i in 0..<count {
            guard let topicResult = results[i] else { continue }
            let err = rd_kafka_topic_result_error(topicResult)
            if err.rawValue == 0 || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let name = rd_kafka_topic_result_name(topicResult).map { String(cString: $0) } ?? "?"
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            throw KafkaError(code: err, message: "creating topic \"\(name)\": \(text)", handle: handle)
        }
    }

    /// Every topic the cluster reports, with its partition count.
    public func listTopics(timeoutMs: Int = 5000) throws -> [String: Int] {
        guard !closed else { throw KafkaError.usage("admin client is closed") }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // all_topics=1 and no topic handle: asking for one topic could auto-create it.
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, Int32(clamping: timeoutMs))
        if err.rawValue != 0 { throw KafkaError(code: err, message: "metadata: \(String(cString: rd_kafka_err2str(err)))", handle: handle) }
        guard let metadata else { return [:] }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: Int] = [:]
        guard let topics = metadata.pointee.topics else { return result }
        for i in 0..<Int(metadata.pointee.topic_cnt) {
            guard let name = topics[i].topic, topics[i].err.rawValue == 0 else { continue }
            result[String(cString: name)] = Int(topics[i].partition_cnt)
        }
        return result
    }

    /// The cluster's id (from metadata), nil when the broker gave none in time.
    public func clusterID(timeoutMs: Int = 5000) -> String? {
        guard let id = rd_kafka_clusterid(handle, Int32(clamping: timeoutMs)) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// Whether the cluster is librdkafka's mock cluster (`weir dev`, `weir broker`), which
    /// keeps aborted transactions' records visible to `read_committed` readers (docs/kafka.md).
    public func isEmbeddedBroker(timeoutMs: Int = 5000) -> Bool {
        clusterID(timeoutMs: timeoutMs)?.hasPrefix("mockCluster") == true
    }

    /// Partition count of `topic`, or nil if the cluster does not know it.
    public func partitionCount(topic: String, timeoutMs: Int = 5000) throws -> Int? {
        try listTopics(timeoutMs: timeoutMs)[topic]
    }
}
