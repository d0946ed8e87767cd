import CRdKafka

/// A librdkafka error code (`rd_kafka_resp_err_t`) as a Swift value, so callers and
/// tests never need C. Negative codes are client-internal, positive ones come from the
/// Kafka protocol. Any code can be represented; the named ones are those Weir and its
/// tests care about.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// librdkafka's symbolic name without the `RD_KAFKA_RESP_ERR_` prefix, e.g. "NOT_COORDINATOR".
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
    public var description: String { name }

    public static let noError = KafkaErrorCode(rawValue: 0)

    // Client-internal codes.
    public static let destroy = KafkaErrorCode(rawValue: -197)
    public static let transport = KafkaErrorCode(rawValue: -195)
    public static let messageTimedOut = KafkaErrorCode(rawValue: -192)
    public static let partitionEOF = KafkaErrorCode(rawValue: -191)
    public static let unknownPartition = KafkaErrorCode(rawValue: -190)
    public static let unknownTopic = KafkaErrorCode(rawValue: -188)
    public static let allBrokersDown = KafkaErrorCode(rawValue: -187)
    public static let invalidArgument = KafkaErrorCode(rawValue: -186)
    public static let timedOut = KafkaErrorCode(rawValue: -185)
    public static let queueFull = KafkaErrorCode(rawValue: -184)
    public static let state = KafkaErrorCode(rawValue: -172)
    public static let notConfigured = KafkaErrorCode(rawValue: -145)
    public static let unsupportedFeature = KafkaErrorCode(rawValue: -165)
    public static let purgeQueue = KafkaErrorCode(rawValue: -152)
    public static let purgeInflight = KafkaErrorCode(rawValue: -151)
    public static let fatal = KafkaErrorCode(rawValue: -150)
    public static let fenced = KafkaErrorCode(rawValue: -144)

    // Broker (protocol) codes.
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    public static let notLeaderForPartition = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let messageSizeTooLarge = KafkaErrorCode(rawValue: 10)
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(rawValue: 20)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    public static let invalidTxnState = KafkaErrorCode(rawValue: 48)
    public static let concurrentTransactions = KafkaErrorCode(rawValue: 51)
    public static let transactionCoordinatorFenced = KafkaErrorCode(rawValue: 52)
    public static let unknownProducerID = KafkaErrorCode(rawValue: 59)
    public static let producerFenced = KafkaErrorCode(rawValue: 90)

    var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }
}
