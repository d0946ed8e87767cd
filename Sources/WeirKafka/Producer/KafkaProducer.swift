import CRdKafka

/// A (transactional) producer for one task thread.
///
/// Not thread-safe, by design: its owner calls it from one thread; delivery reports are
/// counted inside `poll`, `flush` and the transaction calls on that thread. The
/// no-header `produce` neither allocates, takes locks, nor suspends.
public final class KafkaProducer {
    private let handle: OpaquePointer
    private let callbacks: ProducerCallbacks
    private var topics: [String: KafkaTopicHandle] = [:]
    private var closed = false

    public init(config: KafkaConfig) throws {
        let callbacks = ProducerCallbacks(transactional: config.transactionalID != nil
                                          || config.properties["transactional.id"] != nil)
        let conf = try config.makeConf(for: .producer)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf, KafkaLog.callback)
        rd_kafka_conf_set_error_cb(conf, ProducerCallbacks.errorCallback)
        rd_kafka_conf_set_dr_msg_cb(conf, ProducerCallbacks.deliveryCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.usage("creating producer: \(KafkaConfig.string(errstr))", code: .invalidArgument)
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    deinit { close() }

    public var deliveryStats: DeliveryStats { callbacks.stats }
    /// Set once the producer has failed fatally (e.g. fenced); it is unusable after.
    public var fatalFailure: KafkaError? { callbacks.fatalFailure }
    /// The last error librdkafka reported through its error callback.
    public var lastError: KafkaError? { callbacks.lastError }
    /// Messages and requests not yet acknowledged.
    public var outQueueLength: Int { closed ? 0 : Int(rd_kafka_outq_len(handle)) }

    /// The cached handle for `name` (created on first use).
    public func topic(_ name: String) throws -> KafkaTopicHandle {
        if let cached = topics[name] { return cached }
        guard !closed else { throw KafkaError.usage("producer is closed") }
        guard let pointer = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(code: rd_kafka_last_error(), message: "topic \"\(name)\": \(String(cString: rd_kafka_err2str(rd_kafka_last_error())))", handle: handle)
        }
        let topicHandle = KafkaTopicHandle(name: name, pointer: pointer, owner: ObjectIdentifier(self))
        topics[name] = topicHandle
        return topicHandle
    }

    /// Enqueues one record (bytes are copied). When librdkafka's queue is full it serves
    /// delivery reports for 1 ms and tries again, so back-pressure blocks the caller.
    /// `partition` -1 lets the partitioner choose (by key).
    public func produce(_ topic: KafkaTopicHandle, partition: Int32 = -1,
                        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
                        headers: [KafkaHeader]? = nil) throws {
        guard !closed, topic.owner == ObjectIdentifier(self) else {
            throw KafkaError.usage(closed ? "producer is closed" : "topic handle \(topic.name) belongs to another producer",
                                   code: closed ? .state : .invalidArgument)
        }
        if let headers, !headers.isEmpty {
            try produceWithHeaders(topic, partition: partition, key: key, value: value, headers: headers)
            return
        }
        let keyPointer = KafkaProducer.pointer(key)
        let valuePointer = KafkaProducer.pointer(value).map { UnsafeMutableRawPointer(mutating: $0) }
        while true {
            if rd_kafka_produce(topic.pointer, partition, RD_KAFKA_MSG_F_COPY, valuePointer, value?.count ?? 0,
                                keyPointer, key?.count ?? 0, nil) == 0 {
                return
            }
            let err = rd_kafka_last_error()
            guard err == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw enqueueError(KafkaError(code: err, handle: handle)) }
            rd_kafka_poll(handle, 1)
        }
    }

    /// Enqueues one record with an explicit timestamp (ms since the epoch; the
    /// repartition topic keeps each record's source timestamp, so event time
    /// from the Kafka timestamp survives the shuffle). Same back-pressure as
    /// `produce`; allocation-free (the argument list lives on the stack).
    public func produce(_ topic: KafkaTopicHandle, partition: Int32 = -1, key: UnsafeRawBufferPointer?,
                        value: UnsafeRawBufferPointer?, timestampMs: Int64) throws {
        guard !closed, topic.owner == ObjectIdentifier(self) else {
            throw KafkaError.usage(closed ? "producer is closed" : "topic handle \(topic.name) belongs to another producer",
                                   code: closed ? .state : .invalidArgument)
        }
        while true {
            let error = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { values -> OpaquePointer? in
                values.initialize(repeating: rd_kafka_vu_t())
                KafkaProducer.setRecordArguments(values, topic, partition, key, value)
                values[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP
                values[5].u.i64 = timestampMs
                return rd_kafka_produceva(handle, values.baseAddress, values.count)
            }
            guard let error else { return }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_error_destroy(error)
                rd_kafka_poll(handle, 1)
                continue
            }
            throw enqueueError(KafkaError(consuming: error, handle: handle))
        }
    }

    /// The first five rd_kafka_produceva arguments: topic, partition, copy, key, value.
    private static func setRecordArguments(_ values: UnsafeMutableBufferPointer<rd_kafka_vu_t>, _ topic: KafkaTopicHandle,
                                           _ partition: Int32, _ key: UnsafeRawBufferPointer?, _ value: UnsafeRawBufferPointer?) {
        values[0].vtype = RD_KAFKA_VTYPE_RKT
        values[0].u.rkt = topic.pointer
        values[1].vtype = RD_KAFKA_VTYPE_PARTITION
        values[1].u.i32 = partition
        values[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS
        values[2].u.i = RD_KAFKA_MSG_F_COPY
        values[3].vtype = RD_KAFKA_VTYPE_KEY
        values[3].u.mem.ptr = pointer(key).map { UnsafeMutableRawPointer(mutating: $0) }
        values[3].u.mem.size = key?.count ?? 0
        values[4].vtype = RD_KAFKA_VTYPE_VALUE
        values[4].u.mem.ptr = pointer(value).map { UnsafeMutableRawPointer(mutating: $0) }
        values[4].u.mem.size = value?.count ?? 0
    }

    /// A valid pointer for a non-nil buffer, also when it is empty (an empty value is not
    /// a null one); nil stays nil.
    private static func pointer(_ buffer: UnsafeRawBufferPointer?) -> UnsafeRawPointer? {
        guard let buffer else { return nil }
        return buffer.baseAddress ?? UnsafeRawPointer(emptyBytes)
    }
    private static let emptyBytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    /// rd_kafka_produceva: the only non-variadic call that carries headers. Allocates.
    private func produceWithHeaders(_ topic: KafkaTopicHandle, partition: Int32,
                                    key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
                                    headers: [KafkaHeader]) throws {
        while true {
            guard let list = rd_kafka_headers_new(headers.count) else {
                throw KafkaError.usage("rd_kafka_headers_new failed")
            }
            for header in headers {
                let err: rd_kafka_resp_err_t
                if let bytes = header.value {
                    err = bytes.withUnsafeBytes {
                        rd_kafka_header_add(list, header.name, -1, KafkaProducer.pointer($0), $0.count)
                    }
                } else {
                    err = rd_kafka_header_add(list, header.name, -1, nil, 0)
                }
                if err.rawValue != 0 {
                    rd_kafka_headers_destroy(list)
                    throw KafkaError(code: err, message: "header \(header.name): \(String(cString: rd_kafka_err2str(err)))")
                }
            }
            var values = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 6)
            values.withUnsafeMutableBufferPointer { KafkaProducer.setRecordArguments($0, topic, partition, key, value) }
            values[5].vtype = RD_KAFKA_VTYPE_HEADERS
            values[5].u.headers = list
            guard let error = rd_kafka_produceva(handle, &values, values.count) else {
                return // librdkafka owns the headers now
            }
            rd_kafka_headers_destroy(list)
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_error_destroy(error)
                rd_kafka_poll(handle, 1)
                continue
            }
            throw enqueueError(KafkaError(consuming: error, handle: handle))
        }
    }

    /// A record refused at enqueue. Once a transaction has failed (a record was
    /// not delivered, AddPartitionsToTxn was refused, ...) librdkafka refuses new
    /// records with a plain `_STATE` until the transaction is aborted: that is
    /// abortable, not fatal, unless the producer itself failed fatally.
    private func enqueueError(_ error: KafkaError) -> KafkaError {
        guard error.errorCode == .state, callbacks.transactional else { return error }
        if let cause = KafkaError.fatalCause(of: handle) { return cause }
        let cause = callbacks.stats.lastFailure.map { " (\($0.message))" } ?? ""
        return KafkaError(code: error.code, message: "the transaction has failed and must be aborted\(cause)", kind: .abortable)
    }

    /// Serves delivery reports and errors; returns how many events were served.
    @discardableResult
    public func poll(timeoutMs: Int) -> Int {
        guard !closed else { return 0 }
        return Int(rd_kafka_poll(handle, Int32(clamping: timeoutMs)))
    }

    /// Waits until every enqueued record is acknowledged (or failed).
    public func flush(timeoutMs: Int) throws {
        guard !closed else { throw KafkaError.usage("producer is closed") }
        let err = rd_kafka_flush(handle, Int32(clamping: timeoutMs))
        if err.rawValue != 0 { throw KafkaError(code: err, handle: handle) }
    }

    // MARK: Transactions

    /// Registers the transactional.id with the coordinator and fences older instances.
    public func initTransactions(timeoutMs: Int) throws {
        try check(closed ? nil : rd_kafka_init_transactions(handle, Int32(clamping: timeoutMs)))
    }

    public func beginTransaction() throws {
        try check(closed ? nil : rd_kafka_begin_transaction(handle))
    }

    /// Adds the consumer's next offsets to the transaction; `metadata` lets the broker
    /// fence a consumer from an older group generation.
    public func sendOffsetsToTransaction(_ offsets: [TopicPartitionOffset], metadata: ConsumerGroupMetadata,
                                         timeoutMs: Int) throws {
        guard !closed else { throw KafkaError.usage("producer is closed") }
        let list = TopicPartitionList(offsets)
        try check(rd_kafka_send_offsets_to_transaction(handle, list.pointer, metadata.pointer, Int32(clamping: timeoutMs)))
    }

    /// Flushes outstanding records, then commits.
    public func commitTransaction(timeoutMs: Int) throws {
        try check(closed ? nil : rd_kafka_commit_transaction(handle, Int32(clamping: timeoutMs)))
    }

    /// Purges outstanding records, then aborts.
    public func abortTransaction(timeoutMs: Int) throws {
        try check(closed ? nil : rd_kafka_abort_transaction(handle, Int32(clamping: timeoutMs)))
    }

    private func check(_ error: OpaquePointer?) throws {
        guard !closed else { throw KafkaError.usage("producer is closed") }
        if let error { throw KafkaError(consuming: error, handle: handle) }
    }

    /// Frees the handle without flushing (call `flush` or commit first). Idempotent;
    /// also run by deinit.
    public func close() {
        guard !closed else { return }
        closed = true
        for topic in topics.values { rd_kafka_topic_destroy(topic.pointer) }
        topics.removeAll()
        rd_kafka_destroy(handle)
    }
}
