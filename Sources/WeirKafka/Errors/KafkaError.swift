import CRdKafka

/// An error from librdkafka, classified the way the engine must react to it.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// How the caller must react, derived from librdkafka's own predicates.
    public enum Kind: Sendable, Hashable {
        /// Try the same operation again (`rd_kafka_error_is_retriable`).
        case retriable
        /// Abort the current transaction, then carry on (`rd_kafka_error_txn_requires_abort`).
        case abortable
        /// The client is unusable: close it and start over (`rd_kafka_error_is_fatal`,
        /// and, as librdkafka's own transactions example does, any error that is
        /// neither retriable nor abortable).
        case fatal
    }

    /// `rd_kafka_resp_err_t` value.
    public let code: Int32
    public let message: String
    public let kind: Kind
    /// The producer was fenced by a newer instance with the same transactional.id
    /// (or its epoch was bumped): always `.fatal`.
    public let isFenced: Bool

    public var errorCode: KafkaErrorCode { KafkaErrorCode(rawValue: code) }
    /// librdkafka's symbolic name of `code` (rd_kafka_err2name).
    public var name: String { errorCode.name }
    public var isRetriable: Bool { kind == .retriable }
    public var requiresAbort: Bool { kind == .abortable }
    public var isFatal: Bool { kind == .fatal }

    public var description: String { "KafkaError(\(name) [\(code)], \(kind)\(isFenced ? ", fenced" : ""): \(message))" }

    public init(code: Int32, message: String, kind: Kind) {
        self.code = code
        self.message = message
        self.isFenced = KafkaError.fencingCodes.contains(code)
        // Fencing is fatal whatever the source says: the producer can never be used again.
        self.kind = isFenced ? .fatal : kind
    }

    /// Codes that mean "another producer instance owns this transactional.id now".
    static let fencingCodes: Set<Int32> = [
        KafkaErrorCode.fenced.rawValue, KafkaErrorCode.producerFenced.rawValue,
        KafkaErrorCode.invalidProducerEpoch.rawValue,
    ]

    /// Takes ownership of `error` (an `rd_kafka_error_t *`) and destroys it.
    /// Classification is exactly librdkafka's: fatal, then requires-abort, then retriable;
    /// anything else is treated as fatal, as librdkafka's transactions example advises.
    init(consuming error: OpaquePointer, handle: OpaquePointer? = nil) {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error).rawValue
        let message = rd_kafka_error_string(error).map { String(cString: $0) } ?? ""
        let kind: Kind
        if rd_kafka_error_is_fatal(error) != 0 {
            kind = .fatal
        } else if rd_kafka_error_txn_requires_abort(error) != 0 {
            kind = .abortable
        } else if rd_kafka_error_is_retriable(error) != 0 {
            kind = .retriable
        } else {
            kind = .fatal
        }
        if code == KafkaErrorCode.fatal.rawValue, let handle, let cause = KafkaError.fatalCause(of: handle) {
            self = cause
        } else {
            self.init(code: code, message: message, kind: kind)
        }
    }

    /// For a plain `rd_kafka_resp_err_t` with no `rd_kafka_error_t` around it.
    /// `__FATAL` is replaced by the real cause when a handle is given (rd_kafka_fatal_error).
    init(code: rd_kafka_resp_err_t, message: String? = nil, handle: OpaquePointer? = nil) {
        if code.rawValue == KafkaErrorCode.fatal.rawValue, let handle, let cause = KafkaError.fatalCause(of: handle) {
            self = cause
            return
        }
        let text = message ?? String(cString: rd_kafka_err2str(code))
        self.init(code: code.rawValue, message: text, kind: KafkaError.kind(ofPlain: code.rawValue))
    }

    /// The error that made a client fatally failed, if it is (rd_kafka_fatal_error).
    static func fatalCause(of handle: OpaquePointer) -> KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let cause = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard cause.rawValue != 0 else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return KafkaError(code: cause.rawValue, message: text, kind: .fatal)
    }

    /// Plain codes carry no flags, so this mirrors what librdkafka does with them
    /// internally: transient broker/network conditions are retried, records purged by an
    /// abort belong to an aborted transaction, the rest are not recoverable by retrying.
    static func kind(ofPlain code: Int32) -> Kind {
        if retriablePlainCodes.contains(code) { return .retriable }
        if code == KafkaErrorCode.purgeQueue.rawValue || code == KafkaErrorCode.purgeInflight.rawValue { return .abortable }
        return .fatal
    }

    /// Mirrors the Kafka protocol's retriable flag and librdkafka's transient internal codes.
    static let retriablePlainCodes: Set<Int32> = [
        -195, -193, -192, -191, -187, -185, -184, -183, -182, -180, -178, -177, -166, -164, -153,
        // __TRANSPORT … __RETRY: network, timeouts, full queue, waiting for coordinator/cache
        2, 3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 27, 41, 51, 56, 74, 75, 78, 88, 89,
        // CORRUPT_MESSAGE, UNKNOWN_TOPIC_OR_PART, LEADER_NOT_AVAILABLE, NOT_LEADER, REQUEST_TIMED_OUT,
        // NETWORK_EXCEPTION, COORDINATOR_*, NOT_ENOUGH_REPLICAS*, REBALANCE_IN_PROGRESS, NOT_CONTROLLER,
        // CONCURRENT_TRANSACTIONS, KAFKA_STORAGE_ERROR, *_LEADER_EPOCH, OFFSET_NOT_AVAILABLE,
        // UNSTABLE_OFFSET_COMMIT, THROTTLING_QUOTA_EXCEEDED
    ]

    /// A configuration property was refused (unknown name or bad value).
    static func config(property: String, reason: String) -> KafkaError {
        KafkaError(code: KafkaErrorCode.invalidArgument.rawValue,
                   message: "configuration property \"\(property)\": \(reason)", kind: .fatal)
    }

    /// A Weir-side usage error (e.g. a closed client), not something librdkafka returned.
    static func usage(_ message: String, code: KafkaErrorCode = .state) -> KafkaError {
        KafkaError(code: code.rawValue, message: message, kind: .fatal)
    }
}

extension KafkaError {
    /// An error raised by Weir itself around Kafka (not by librdkafka): fatal, code `_FAIL`.
    public static func local(_ message: String) -> KafkaError {
        KafkaError(code: -196, message: message, kind: .fatal)
    }
}
