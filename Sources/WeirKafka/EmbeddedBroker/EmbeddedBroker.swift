import CRdKafka

/// librdkafka's in-process mock Kafka cluster, reachable over real sockets on loopback,
/// with its fault-injection hooks. For `weir dev`, `weir broker` and tests.
///
/// Limits of librdkafka 2.0.2's mock (see docs/kafka.md): no CreateTopics (use
/// `createTopic`), read_committed readers also see aborted/open transactions' records,
/// offsets sent in a transaction are dropped, the first group join takes ~3 s.
public final class EmbeddedBroker {
    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    public let bootstrapServers: String
    public let brokerCount: Int
    private var closed = false

    public init(brokers: Int = 1) throws {
        guard brokers > 0 else { throw KafkaError.usage("a mock cluster needs at least one broker", code: .invalidArgument) }
        guard let conf = rd_kafka_conf_new() else { throw KafkaError.usage("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        // The handle only hosts the cluster; its own logs (and the mock's) are noise.
        rd_kafka_conf_set_log_cb(conf, KafkaLog.silent)
        _ = rd_kafka_conf_set(conf, "log_level", "0", &errstr, errstr.count)
        _ = rd_kafka_conf_set(conf, "client.id", "weir-embedded-broker", &errstr, errstr.count)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.usage("creating the mock cluster's handle: \(KafkaConfig.string(errstr))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(clamping: brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError.usage("rd_kafka_mock_cluster_new failed")
        }
        self.handle = handle
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = rd_kafka_mock_cluster_bootstraps(cluster).map { String(cString: $0) } ?? ""
    }

    deinit { close() }

    /// Destroys the cluster (connected clients see their brokers go away). Idempotent.
    public func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws {
        if err.rawValue != 0 { throw KafkaError(code: err, message: "\(what): \(String(cString: rd_kafka_err2str(err)))") }
    }

    private func requireOpen() throws {
        if closed { throw KafkaError.usage("embedded broker is closed") }
    }

    /// Creates a topic (the mock has no CreateTopics API). Unknown topics otherwise
    /// auto-create with the mock's default partition count.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try requireOpen()
        try check(rd_kafka_mock_topic_create(cluster, name, Int32(clamping: partitions), Int32(clamping: replicationFactor)),
                  "creating topic \"\(name)\"")
    }

    /// The next requests of type `apiKey`, on any broker, fail with `errors` in order.
    public func pushRequestErrors(apiKey: KafkaAPIKey, errors: [KafkaErrorCode]) throws {
        try requireOpen()
        let codes = errors.map(\.cValue)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, codes.count, codes)
    }

    /// Errors (each with a response delay) for one broker; they take precedence over
    /// cluster-wide ones.
    public func pushBrokerRequestErrors(brokerID: Int32, apiKey: KafkaAPIKey, errors: [KafkaErrorCode], rttMs: Int = 0) throws {
        try requireOpen()
        for error in errors {
            try check(weir_mock_broker_push_request_error_rtt(cluster, brokerID, apiKey.rawValue, error.cValue, Int32(clamping: rttMs)),
                      "pushing \(error) for broker \(brokerID)")
        }
    }

    /// Errors still queued for `apiKey` on one broker (to check an injected error was consumed).
    public func brokerErrorStackCount(brokerID: Int32, apiKey: KafkaAPIKey) throws -> Int {
        try requireOpen()
        var count = 0
        try check(rd_kafka_mock_broker_error_stack_cnt(cluster, brokerID, apiKey.rawValue, &count), "error stack of broker \(brokerID)")
        return count
    }

    public func clearRequestErrors(apiKey: KafkaAPIKey) throws {
        try requireOpen()
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }

    /// Error returned for `topic` in Metadata and AddPartitionsToTxn responses
    /// (`.noError` clears it).
    public func topicSetError(_ topic: String, error: KafkaErrorCode) throws {
        try requireOpen()
        rd_kafka_mock_topic_set_error(cluster, topic, error.cValue)
    }

    /// Disconnects the broker and refuses connections (-1: all). No leader change.
    public func setBrokerDown(_ id: Int32) throws {
        try requireOpen()
        try check(rd_kafka_mock_broker_set_down(cluster, id), "setting broker \(id) down")
    }

    public func setBrokerUp(_ id: Int32) throws {
        try requireOpen()
        try check(rd_kafka_mock_broker_set_up(cluster, id), "setting broker \(id) up")
    }

    /// Delays every response of broker `id` (-1: all) by `rttMs`.
    public func setBrokerRTT(_ id: Int32, rttMs: Int) throws {
        try requireOpen()
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, Int32(clamping: rttMs)), "setting RTT of broker \(id)")
    }

    /// -1 makes the partition leaderless.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws {
        try requireOpen()
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID),
                  "setting leader of \(topic)[\(partition)]")
    }

    public enum CoordinatorType: String, Sendable { case transaction, group }

    /// Pins the coordinator for a transactional.id or group.id to a broker.
    public func setCoordinator(type: CoordinatorType, key: String, brokerID: Int32) throws {
        try requireOpen()
        try check(rd_kafka_mock_coordinator_set(cluster, type.rawValue, key, brokerID), "setting \(type.rawValue) coordinator")
    }
}
