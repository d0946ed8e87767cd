import CRdKafka

/// The librdkafka this binary is linked with (Debian 12: 2.0.2; DESIGN.md asks
/// that `weir --version` and `/overview` say which).
public enum KafkaVersion {
    public static var string: String { String(cString: rd_kafka_version_str()) }
}
