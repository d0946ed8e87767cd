import CRdKafka

/// State the producer's C callbacks reach through the opaque pointer. Owned by the
/// `KafkaProducer`, which destroys the handle first. Delivery reports and errors are
/// served inside `poll`/`flush`/transaction calls on the caller's thread: no locking.
final class ProducerCallbacks {
    /// In a transaction any failed record dooms the transaction (librdkafka then requires
    /// an abort), so its delivery error is abortable unless the producer failed fatally.
    let transactional: Bool
    var stats = DeliveryStats()
    var fatalFailure: KafkaError?
    var lastError: KafkaError?

    init(transactional: Bool) { self.transactional = transactional }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ProducerCallbacks? {
        opaque.map { Unmanaged<ProducerCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Counts only; a `KafkaError` is built for failures alone, so success does not allocate.
    static let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        rk, message, opaque in
        guard let callbacks = from(opaque), let message else { return }
        let err = message.pointee.err
        if err.rawValue == 0 {
            callbacks.stats.delivered += 1
        } else {
            callbacks.stats.failed += 1
            let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            var error = KafkaError(code: err, message: "delivery to \(topic) failed: \(String(cString: rd_kafka_err2str(err)))", handle: rk)
            let producerFailed = rk.map { KafkaError.fatalCause(of: $0) != nil } ?? false
            if callbacks.transactional, !error.isFenced, !producerFailed {
                error = KafkaError(code: error.code, message: error.message, kind: .abortable)
            }
            callbacks.stats.lastFailure = error
        }
    }

    static let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        rk, err, reason, opaque in
        guard let callbacks = from(opaque) else { return }
        // For __FATAL this resolves the real cause through rd_kafka_fatal_error.
        let error = KafkaError(code: rd_kafka_resp_err_t(rawValue: err), message: reason.map { String(cString: $0) }, handle: rk)
        callbacks.lastError = error
        // librdkafka signals an unusable client with __FATAL only; other errors are informational.
        if err == KafkaErrorCode.fatal.rawValue, callbacks.fatalFailure == nil {
            callbacks.fatalFailure = error
        }
    }
}
