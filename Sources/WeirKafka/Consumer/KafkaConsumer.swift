import CRdKafka

/// A group consumer for one task thread.
///
/// Not thread-safe, by design: one task owns it and calls it from its own thread only;
/// rebalance and error callbacks run on that thread too, from inside `poll` or `close`.
/// `poll` neither allocates per record, takes locks, nor suspends.
public final class KafkaConsumer {
    private let handle: OpaquePointer
    private let queue: OpaquePointer
    private let callbacks: ConsumerCallbacks
    /// Reused for every batch so polling does not allocate.
    private var batch: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private var batchCapacity: Int
    /// Topic name per rd_kafka_topic_t, with a reference held on each topic so the
    /// pointer cannot be freed and reused for another topic while cached.
    private var topicNames: [OpaquePointer: String] = [:]
    private var topicRefs: [OpaquePointer] = []
    /// Open until `close` returns; during close the revoke callback may still commit.
    private var closed = false
    private var closing = false
    /// Joined a group through `subscribe` (then `close` leaves it first).
    private var subscribed = false

    /// - Parameters:
    ///   - onRebalance: called before each assignment change is applied.
    ///   - onError: consumer-level errors (not records), e.g. broker down or partition
    ///     errors; librdkafka keeps retrying these on its own. Fatal ones are also kept
    ///     in `fatalFailure`.
    public init(config: KafkaConfig,
                onRebalance: @escaping (RebalanceEvent) -> Void,
                onError: @escaping (KafkaError) -> Void = { _ in }) throws {
        let callbacks = ConsumerCallbacks(onRebalance: onRebalance, onError: onError)
        var config = config
        if config.groupID == nil {
            // librdkafka's consumer queue exists only with a group; a consumer that only
            // uses `assign` never joins it, so a private name is harmless.
            config.groupID = "weir-unjoined-\(UInt64.random(in: 0...UInt64.max))"
        }
        let conf = try config.makeConf(for: .consumer)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf, KafkaLog.callback)
        rd_kafka_conf_set_error_cb(conf, ConsumerCallbacks.errorCallback)
        rd_kafka_conf_set_rebalance_cb(conf, ConsumerCallbacks.rebalanceCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of conf only on success.
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.usage("creating consumer: \(KafkaConfig.string(errstr))", code: .invalidArgument)
        }
        // Route the main queue (errors, logs, stats) into the consumer queue so one
        // batch poll serves every callback on this thread.
        rd_kafka_poll_set_consumer(handle)
        guard let queue = rd_kafka_queue_get_consumer(handle) else {
            rd_kafka_destroy(handle)
            throw KafkaError.usage("consumer has no consumer queue", code: .invalidArgument)
        }
        self.handle = handle
        self.queue = queue
        self.callbacks = callbacks
        self.batchCapacity = 512
        self.batch = .allocate(capacity: 512)
    }

    deinit {
        close()
        batch.deallocate()
    }

    /// The first fatal error this consumer hit (the consumer is unusable after it).
    public var fatalFailure: KafkaError? { callbacks.fatalFailure }

    /// The handle, unless the consumer is closed (then every call fails cleanly instead
    /// of touching freed memory).
    private func live() throws -> OpaquePointer {
        if closed { throw KafkaError.usage("consumer is closed") }
        return handle
    }

    public func subscribe(_ topics: [String]) throws {
        let list = TopicPartitionList(capacity: topics.count)
        for topic in topics { rd_kafka_topic_partition_list_add(list.pointer, topic, RD_KAFKA_PARTITION_UA) }
        let err = rd_kafka_subscribe(try live(), list.pointer)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        subscribed = true
    }

    public func unsubscribe() throws {
        let err = rd_kafka_unsubscribe(try live())
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
    }

    /// Manual assignment, no group join (e.g. reading a state topic back). With no
    /// `groupID` in the config the consumer gets a private one it never joins.
    public func assign(_ offsets: [TopicPartitionOffset]) throws {
        let list = TopicPartitionList(offsets)
        let err = rd_kafka_assign(try live(), list.pointer)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
    }

    /// Serves callbacks and hands up to `maxMessages` records to `body`, waiting at most
    /// `timeoutMs` for the first. Returns the number of records passed to `body`.
    /// Each `KafkaMessage` is valid only inside `body`. Do not call `poll` or `close`
    /// from inside `body` or a rebalance callback: the batch buffer is being read.
    @discardableResult
    public func poll(maxMessages: Int, timeoutMs: Int, _ body: (KafkaMessage) -> Void) -> Int {
        guard !closed, !closing, maxMessages > 0 else { return 0 }
        if maxMessages > batchCapacity {
            // Grows once for a larger batch size; steady state never allocates.
            batch.deallocate()
            batch = .allocate(capacity: maxMessages)
            batchCapacity = maxMessages
        }
        let count = rd_kafka_consume_batch_queue(queue, Int32(clamping: timeoutMs), batch, maxMessages)
        guard count > 0 else { return 0 }
        var delivered = 0
        for i in 0..<count {
            guard let message = batch[i] else { continue }
            defer { rd_kafka_message_destroy(message) }
            if message.pointee.err.rawValue != 0 {
                callbacks.report(messageError: message, handle: handle)
                continue
            }
            body(KafkaMessage(raw: message, topic: topicName(message.pointee.rkt)))
            delivered += 1
        }
        return delivered
    }

    private func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        if let name = topicNames[rkt] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        // rd_kafka_topic_new on an existing topic returns it with one more reference.
        if let ref = rd_kafka_topic_new(handle, name, nil) { topicRefs.append(ref) }
        topicNames[rkt] = name
        return name
    }

    /// Moves the fetch position of assigned partitions (rd_kafka_seek_partitions).
    public func seek(topic: String, partition: Int32, offset: Int64, timeoutMs: Int = 5000) throws {
        try seek([TopicPartitionOffset(topic: topic, partition: partition, offset: offset)], timeoutMs: timeoutMs)
    }

    public func seek(_ offsets: [TopicPartitionOffset], timeoutMs: Int = 5000) throws {
        let list = TopicPartitionList(offsets)
        if let error = rd_kafka_seek_partitions(try live(), list.pointer, Int32(clamping: timeoutMs)) {
            throw KafkaError(consuming: error, handle: handle)
        }
        if let error = list.firstError { throw error }
    }

    /// Offsets to be used for partitions that are being assigned: call it only from
    /// inside an `.assigned` rebalance event; they are applied with that assignment
    /// (safer than a seek right after, which can race the committed-offset lookup).
    public func setStartOffsets(_ offsets: [TopicPartitionOffset]) {
        for tpo in offsets { callbacks.startOffsets[tpo.topicPartition] = tpo.offset }
    }

    /// Next offset to be read per partition (`invalid` if nothing consumed yet).
    public func position(_ partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_position(try live(), list.pointer)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        return list.offsets
    }

    /// The group's committed offsets for `partitions` (`invalid` where none).
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int = 5000) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_committed(try live(), list.pointer, Int32(clamping: timeoutMs))
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        if let error = list.firstError { throw error }
        return list.offsets
    }

    /// The partition's low and high watermark offsets, asked of the broker.
    public func watermarkOffsets(topic: String, partition: Int32, timeoutMs: Int = 5000) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(try live(), topic, partition, &low, &high, Int32(clamping: timeoutMs))
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        return (low, high)
    }

    /// The partition's low and high watermark offsets as last heard from the broker
    /// (fetch responses), without asking it; nil when not known yet.
    public func cachedWatermarkOffsets(topic: String, partition: Int32) -> (low: Int64, high: Int64)? {
        guard !closed else { return nil }
        var low: Int64 = -1001, high: Int64 = -1001
        let err = rd_kafka_get_watermark_offsets(handle, topic, partition, &low, &high)
        guard err.rawValue == 0, high >= 0 else { return nil }
        return (low, high)
    }

    public func assignment() throws -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(try live(), &list)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        guard let list else { return [] }
        return TopicPartitionList(adopting: list).partitions
    }

    public func pause(_ partitions: [TopicPartition]) throws {
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(try live(), list.pointer)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        if let error = list.firstError { throw error }
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(try live(), list.pointer)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        if let error = list.firstError { throw error }
    }

    /// For `KafkaProducer.sendOffsetsToTransaction`.
    public func groupMetadata() throws -> ConsumerGroupMetadata {
        guard let metadata = rd_kafka_consumer_group_metadata(try live()) else {
            throw KafkaError.usage("consumer has no group metadata (group.id missing?)", code: .invalidArgument)
        }
        return ConsumerGroupMetadata(adopting: metadata)
    }

    /// Commits `offsets` (next offsets to read) to the group: the at-least-once mode.
    public func commit(offsets: [TopicPartitionOffset], async: Bool = false) throws {
        let list = TopicPartitionList(offsets)
        let err = rd_kafka_commit(try live(), list.pointer, async ? 1 : 0)
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
        if !async, let error = list.firstError { throw error }
    }

    /// The group member id ("" before the first join).
    public var memberID: String {
        guard !closed, let id = rd_kafka_memberid(handle) else { return "" }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// "EAGER", "COOPERATIVE" or "NONE" (not in a group yet).
    public var rebalanceProtocol: String {
        guard !closed else { return "NONE" }
        return rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } ?? "NONE"
    }

    /// Leaves the group (the final revoke is delivered to `onRebalance`), then frees the
    /// handle. Idempotent; also run by deinit.
    public func close() {
        guard !closed, !closing else { return }
        // Still usable from the revoke callback that rd_kafka_consumer_close triggers.
        closing = true
        if subscribed { leaveGroup(timeoutMs: 10_000) }
        _ = rd_kafka_consumer_close(handle)
        closed = true
        rd_kafka_queue_destroy(queue)
        for ref in topicRefs { rd_kafka_topic_destroy(ref) }
        topicRefs.removeAll()
        topicNames.removeAll()
        rd_kafka_destroy(handle)
    }

    /// Left to `rd_kafka_consumer_close`, the final revoke reaches the rebalance
    /// callback while the group is being torn down, and the callback's unassign
    /// can wait for ever on the terminating group (librdkafka 2.0.2; issues
    /// #4884 and #4527 upstream; seen once in CI: a task thread stuck in close
    /// for 20 minutes). So the group is left first, as those issues advise:
    /// unsubscribe, then serve the queue until the revoke has run and nothing is
    /// assigned, for at most `timeoutMs`. Records fetched meanwhile are dropped
    /// unprocessed: their offsets were never committed, so the partitions'
    /// next owner reads them.
    private func leaveGroup(timeoutMs: Int) {
        guard rd_kafka_unsubscribe(handle).rawValue == 0 else { return }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(max(0, timeoutMs)))
        while clock.now < deadline {
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            guard rd_kafka_assignment(handle, &list).rawValue == 0, let list else { return }
            let held = list.pointee.cnt
            rd_kafka_topic_partition_list_destroy(list)
            if held == 0 { return }
            // Serves the callbacks (the revoke among them), as `poll` does.
            let count = rd_kafka_consume_batch_queue(queue, 100, batch, batchCapacity)
            for i in 0..<max(0, count) { if let m = batch[i] { rd_kafka_message_destroy(m) } }
        }
    }
}
