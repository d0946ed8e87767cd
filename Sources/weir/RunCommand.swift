import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import WeirEngine
import WeirFormats
import WeirKafka
import WeirPipelines

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline against the Kafka cluster named in the service config.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(help: "Service configuration (YAML); WEIR_* environment variables override it.") var config: String?
    @Option(help: "Tasks in this instance (overrides the pipeline and config).") var parallelism: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Schema registry URL for pipelines that name none (also WEIR_SCHEMA_REGISTRY_URL).") var schemaRegistry: String?

    func run() async throws {
        let startNanos = monotonicNanos()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "weir.run")
        let service: ServiceConfig
        do {
            service = try ServiceConfig.load(path: config ?? (FileManager.default.fileExists(atPath: "config/weir.yaml") ? "config/weir.yaml" : nil),
                                             environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let p = try loadPipelineOrExit(pipeline, defaultParallelism: service.parallelism)
        var spec = p.job
        if let n = parallelism { spec.parallelism = n }
        if spec.formats.registry == nil, let url = schemaRegistry ?? ProcessInfo.processInfo.environment["WEIR_SCHEMA_REGISTRY_URL"] {
            spec.formats.registry = SchemaRegistryConfig(url: url)
        }
        var kafka = KafkaConfig(bootstrapServers: service.kafka.bootstrapServers)
        kafka.properties = service.kafka.properties
        let job = Job(spec: spec, runtime: RuntimeConfig(kafka: kafka, instanceID: service.instanceID), logger: logger)
        let startup = StartupReporter(job: job, startNanos: startNanos, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: job), .init(service: startup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("job failed", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
    }
}

/// Logs how long start-up took, up to the first record processed.
struct StartupReporter: Service {
    let job: Job
    let startNanos: UInt64
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let first = job.firstRecordNanos {
                let ms = Double(first - startNanos) / 1e6
                logger.info("first record processed", metadata: ["ms_since_start": "\(Int(ms))"])
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await gracefulShutdown()
    }
}
