import CRdKafka
import Logging

/// Routes librdkafka's log lines to swift-log. librdkafka itself filters by
/// `log_level` (set from `KafkaConfig.logLevel`), so only wanted lines cross over.
enum KafkaLog {
    /// Made per line (lines are rare: librdkafka filters first) so that a logging
    /// backend bootstrapped after the first client was created is still used.
    static var logger: Logger { Logger(label: "weir.kafka.librdkafka") }

    /// swift-log level → syslog level as librdkafka's `log_level` expects.
    static func syslogLevel(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func level(forSyslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }

    /// Installed on every conf; called from librdkafka's internal threads, so it only
    /// touches the (thread-safe) logger.
    static let callback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
        rk, syslogLevel, facility, line in
        let client = rk.flatMap { rd_kafka_name($0) }.map { String(cString: $0) } ?? "?"
        let fac = facility.map { String(cString: $0) } ?? ""
        let text = line.map { String(cString: $0) } ?? ""
        logger.log(level: KafkaLog.level(forSyslog: syslogLevel), "\(text)", metadata: ["client": "\(client)", "facility": "\(fac)"])
    }

    /// Drops everything: for the embedded broker's internal handle.
    static let silent: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { _, _, _, _ in }
}
