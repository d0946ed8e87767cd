import CRdKafka

/// State the consumer's C callbacks reach through librdkafka's opaque pointer. It is
/// owned by the `KafkaConsumer` and outlives the handle (the handle is destroyed first).
/// Callbacks run on the polling thread, so no locking is needed.
final class ConsumerCallbacks {
    let onRebalance: (RebalanceEvent) -> Void
    let onError: (KafkaError) -> Void
    var fatalFailure: KafkaError?
    /// Filled by `KafkaConsumer.setStartOffsets` from inside an `.assigned` event.
    var startOffsets: [TopicPartition: Int64] = [:]

    init(onRebalance: @escaping (RebalanceEvent) -> Void, onError: @escaping (KafkaError) -> Void) {
        self.onRebalance = onRebalance
        self.onError = onError
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ConsumerCallbacks? {
        opaque.map { Unmanaged<ConsumerCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }

    /// `clientFailed`: librdkafka raised its fatal error (error_cb with __FATAL); only
    /// then is the consumer itself unusable.
    func report(_ error: KafkaError, clientFailed: Bool = false) {
        if clientFailed, fatalFailure == nil { fatalFailure = error }
        onError(error)
    }

    func report(messageError message: UnsafeMutablePointer<rd_kafka_message_t>, handle: OpaquePointer) {
        let err = message.pointee.err
        var text = String(cString: rd_kafka_err2str(err))
        if let rkt = message.pointee.rkt {
            text = "\(String(cString: rd_kafka_topic_name(rkt)))[\(message.pointee.partition)]: " + text
        }
        // For consumer errors the payload, when present, is librdkafka's error string.
        if let payload = message.pointee.payload, message.pointee.len > 0 {
            let detail = String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
            text += " (\(detail))"
        }
        report(KafkaError(code: err, message: text, handle: handle))
    }

    static let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        rk, err, reason, opaque in
        guard let callbacks = from(opaque) else { return }
        let text = reason.map { String(cString: $0) }
        callbacks.report(KafkaError(code: rd_kafka_resp_err_t(rawValue: err), message: text, handle: rk),
                         clientFailed: err == KafkaErrorCode.fatal.rawValue)
    }

    static let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t,
                                                   UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                                   UnsafeMutableRawPointer?) -> Void = { rk, err, partitions, opaque in
        guard let rk, let callbacks = from(opaque) else { return }
        callbacks.rebalance(rk, err, partitions)
    }

    /// Tells the engine first, then applies the change, for either protocol.
    private func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                           _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" } ?? false
        let list = TopicPartitionList.partitions(of: partitions)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            startOffsets.removeAll()
            onRebalance(.assigned(list))
            if let partitions, !startOffsets.isEmpty, let elems = partitions.pointee.elems {
                for i in 0..<Int(partitions.pointee.cnt) {
                    guard let topic = elems[i].topic else { continue }
                    let tp = TopicPartition(topic: String(cString: topic), partition: elems[i].partition)
                    if let offset = startOffsets[tp] { elems[i].offset = offset }
                }
            }
            startOffsets.removeAll()
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) { report(KafkaError(consuming: error, handle: rk)) }
            } else {
                let result = rd_kafka_assign(rk, partitions)
                if result.rawValue != 0 { report(KafkaError(code: result, handle: rk)) }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            onRebalance(rd_kafka_assignment_lost(rk) != 0 ? .lost(list) : .revoked(list))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { report(KafkaError(consuming: error, handle: rk)) }
            } else {
                let result = rd_kafka_assign(rk, nil)
                if result.rawValue != 0 { report(KafkaError(code: result, handle: rk)) }
            }
        default:
            // A failed rebalance: librdkafka asks the application to drop its assignment.
            report(KafkaError(code: err, message: "rebalance failed: \(String(cString: rd_kafka_err2str(err)))", handle: rk))
            onRebalance(.lost(list))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { report(KafkaError(consuming: error, handle: rk)) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        }
    }
}
