import CRdKafka
import Logging

/// Client configuration: the settings Weir decides as typed fields, plus any
/// librdkafka property by its own name in `properties` (applied last, so they
/// override the typed fields).
public struct KafkaConfig: Sendable {
    public enum IsolationLevel: String, Sendable { case readCommitted = "read_committed", readUncommitted = "read_uncommitted" }
    public enum AutoOffsetReset: String, Sendable { case earliest, latest }

    public var bootstrapServers: String
    public var groupID: String?
    public var isolationLevel: IsolationLevel
    /// Setting this makes the producer transactional (and idempotent, which librdkafka implies).
    public var transactionalID: String?
    /// Idempotence without transactions.
    public var enableIdempotence: Bool
    public var sessionTimeoutMs: Int?
    public var transactionTimeoutMs: Int?
    public var autoOffsetReset: AutoOffsetReset
    public var clientID: String
    /// Off by default: Weir commits explicitly (transactions or `commit(offsets:)`).
    public var enableAutoCommit: Bool
    /// Off by default: EOF is not a record and the task loop does not need it.
    public var enablePartitionEOF: Bool
    /// librdkafka log lines at or above this level are forwarded to swift-log. Quiet by
    /// default (`.critical`: fatal client failures only), because every error worth acting
    /// on also arrives as a thrown `KafkaError`, an `onError` call or a delivery failure.
    public var logLevel: Logger.Level
    /// Extra or overriding librdkafka properties, by librdkafka's names.
    public var properties: [String: String]

    public init(bootstrapServers: String,
                groupID: String? = nil,
                isolationLevel: IsolationLevel = .readCommitted,
                transactionalID: String? = nil,
                enableIdempotence: Bool = false,
                sessionTimeoutMs: Int? = nil,
                transactionTimeoutMs: Int? = nil,
                autoOffsetReset: AutoOffsetReset = .earliest,
                clientID: String = "weir",
                enableAutoCommit: Bool = false,
                enablePartitionEOF: Bool = false,
                logLevel: Logger.Level = .critical,
                properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.isolationLevel = isolationLevel
        self.transactionalID = transactionalID
        self.enableIdempotence = enableIdempotence
        self.sessionTimeoutMs = sessionTimeoutMs
        self.transactionTimeoutMs = transactionTimeoutMs
        self.autoOffsetReset = autoOffsetReset
        self.clientID = clientID
        self.enableAutoCommit = enableAutoCommit
        self.enablePartitionEOF = enablePartitionEOF
        self.logLevel = logLevel
        self.properties = properties
    }

    enum Role { case consumer, producer, admin }

    /// Typed fields as librdkafka properties for one kind of client. Consumer-only
    /// settings are left off producers (librdkafka warns about them otherwise).
    func librdkafkaProperties(for role: Role) -> [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("log_level", String(KafkaLog.syslogLevel(for: logLevel))),
        ]
        switch role {
        case .consumer:
            if let groupID { list.append(("group.id", groupID)) }
            list.append(("isolation.level", isolationLevel.rawValue))
            list.append(("auto.offset.reset", autoOffsetReset.rawValue))
            list.append(("enable.auto.commit", enableAutoCommit ? "true" : "false"))
            list.append(("enable.partition.eof", enablePartitionEOF ? "true" : "false"))
            if let sessionTimeoutMs { list.append(("session.timeout.ms", String(sessionTimeoutMs))) }
        case .producer:
            if let transactionalID { list.append(("transactional.id", transactionalID)) }
            if enableIdempotence { list.append(("enable.idempotence", "true")) }
            if let transactionTimeoutMs { list.append(("transaction.timeout.ms", String(transactionTimeoutMs))) }
        case .admin:
            break
        }
        // Passed-through properties last: they override the typed fields. Sorted so that
        // errors are reported deterministically.
        for key in properties.keys.sorted() {
            if let value = properties[key] { list.append((key, value)) }
        }
        return list
    }

    /// Builds an `rd_kafka_conf_t *` (caller owns it). Unknown names or bad values throw
    /// a `KafkaError` naming the property, with librdkafka's own explanation.
    func makeConf(for role: Role) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.usage("rd_kafka_conf_new failed", code: .invalidArgument)
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in librdkafkaProperties(for: role) {
            let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.config(property: name, reason: KafkaConfig.string(errstr))
            }
        }
        return conf
    }

    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
