#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WeirFormats

/// Settings of one Weir process (not of a pipeline): where Kafka is, how many
/// tasks to run, who this instance is, where it keeps local files and how
/// often pipelines that set no interval checkpoint.
///
/// Read from `config/weir.yaml` (every key optional), then overridden by
/// environment variables; see docs/configuration.md.
public struct ServiceConfig: Equatable, Sendable {
    public struct Kafka: Equatable, Sendable {
        /// `host:port[,host:port…]`.
        public var bootstrapServers: String
        /// Passed to librdkafka as they are (`security.protocol: SASL_SSL`).
        public var properties: [String: String]

        public init(bootstrapServers: String = "localhost:9092", properties: [String: String] = [:]) {
            self.bootstrapServers = bootstrapServers; self.properties = properties
        }
    }

    public var kafka: Kafka
    /// Tasks per instance for pipelines that do not set their own (1…64).
    public var parallelism: Int
    /// This instance's stable name; part of transactional ids, so it must be
    /// unique among running replicas and the same after a restart.
    public var instanceID: String
    /// Directory for local files (savepoints, scratch state).
    public var dataDir: String
    /// `checkpoint.interval` in ms, for pipelines that set none (10 ms to 1 h).
    public var checkpointIntervalMs: Int
    /// The schema registry for pipelines that name none (`schemaRegistry`, same keys as a pipeline's).
    public var schemaRegistry: SchemaRegistryConfig?
    /// `jobs.directory`: the pipeline files `weir serve` runs (WEIR_PIPELINES_DIR).
    public var jobsDirectory = "pipelines"
    /// `jobs.topic`: the compacted topic of job definitions, one per service group (WEIR_JOBS_TOPIC).
    public var jobsTopic = "weir-jobs"
    /// `savepoints.directory`: where savepoints asked for over REST go; on
    /// several instances a volume they share (WEIR_SAVEPOINTS_DIR). Default `<dataDir>/savepoints`.
    public var savepointsDirectoryOverride: String?
    public var savepointsDirectory: String { savepointsDirectoryOverride ?? (dataDir as NSString).appendingPathComponent("savepoints") }
    /// `rest.*`: the REST API of `weir serve`.
    public var rest = REST()
    /// `shutdown.timeout`: how long a graceful shutdown may take, in ms (default 30 s).
    public var shutdownTimeoutMs = 30_000

    public struct REST: Equatable, Sendable {
        public var port = 8081
        public var address = "0.0.0.0"
        /// Mutations need `Authorization: Bearer <token>` when set (WEIR_REST_TOKEN).
        public var token: String?
        public var protectReads = false
        public var tlsCertificateFile: String?
        public var tlsKeyFile: String?
        public init() {}
    }

    public init(kafka: Kafka = Kafka(), parallelism: Int = 2, instanceID: String, dataDir: String = "data",
                checkpointIntervalMs: Int = CheckpointInterval.defaultMs) {
        self.kafka = kafka; self.parallelism = parallelism; self.instanceID = instanceID; self.dataDir = dataDir
        self.checkpointIntervalMs = checkpointIntervalMs
    }

    public static let defaultPath = "config/weir.yaml"
    static let parallelismRange = 1...64
    static let shutdownTimeoutRange: ClosedRange<Int64> = 1_000...3_600_000
    /// As for a pipeline's `checkpoint.interval`: 10 ms to 1 h.
    static let checkpointIntervalRange: ClosedRange<Int64> = 10...3_600_000
    static let checkpointIntervalWhat = "a checkpoint interval from 10ms to 1h"

    /// The defaults: local Kafka, parallelism 2, the host name, `data`, checkpoints every 5 s.
    public static func defaults(hostname: String = ServiceConfig.hostname()) -> ServiceConfig {
        ServiceConfig(instanceID: hostname)
    }

    /// Reads the configuration file and applies the environment.
    ///
    /// - Parameter path: the file to read; nil reads `config/weir.yaml` when it
    ///   exists and uses the defaults otherwise. A path that was named but
    ///   cannot be read is an error.
    public static func load(path: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            hostname: String = ServiceConfig.hostname()) throws(ServiceConfigError) -> ServiceConfig {
        let file = path ?? defaultPath
        if path == nil, !FileManager.default.fileExists(atPath: file) {
            var config = defaults(hostname: hostname)
            try config.applyEnvironment(environment)
            return config
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ServiceConfigError([Diagnostic(file: file, line: 0, column: 0, field: "(file)",
                                                 message: "cannot read the configuration file: \(error.localizedDescription)")])
        }
        return try load(yaml: text, file: file, environment: environment, hostname: hostname)
    }

    /// Reads configuration text (file values over defaults, environment over both).
    public static func load(yaml: String, file: String, environment: [String: String] = [:],
                            hostname: String = ServiceConfig.hostname()) throws(ServiceConfigError) -> ServiceConfig {
        var config = try ServiceConfigReader.read(yaml: yaml, file: file, defaults: defaults(hostname: hostname))
        try config.applyEnvironment(environment)
        return config
    }

    /// This machine's host name, made safe for use as an instance id.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "weir" }
        let raw = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let safe = String(raw.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-"
        })
        return safe.isEmpty ? "weir" : safe
    }
}
