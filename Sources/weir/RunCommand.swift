import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import WeirEngine
import WeirKafka
import WeirPipelines

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline against the Kafka cluster named in the service config.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(help: "Service configuration (YAML); WEIR_* environment variables override it.") var config: String?
    @Option(help: "Tasks in this instance (overrides the pipeline and config).") var parallelism: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Treat the input as ended once no record arrived for this long (ms): fire open windows, checkpoint, exit 0. For bounded runs and tests.")
    var drainIdleMs: Int?
    @Option(help: "Checkpoint interval in ms (overrides the pipeline).") var checkpointInterval: Int?
    @Option(help: "Start every partition from this savepoint (written by `weir savepoint`).") var fromSavepoint: String?

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // progress lines reach a pipe as they happen
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
        var kafka = KafkaConfig(bootstrapServers: service.kafka.bootstrapServers)
        kafka.properties = service.kafka.properties
        var runtime = RuntimeConfig(kafka: kafka, instanceID: service.instanceID)
        if let ms = checkpointInterval { runtime.checkpointIntervalMs = ms }
        var savepoint: Savepoint?
        if let fromSavepoint {
            do { savepoint = try Savepoint.load(directory: fromSavepoint) } catch {
                printError("weir run: \(error)"); throw ExitCode(1)
            }
        }
        let job = Job(spec: spec, runtime: runtime, savepoint: savepoint, logger: logger)
        let startup = StartupReporter(job: job, startNanos: startNanos, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: job), .init(service: startup), .init(service: SavepointTrigger(job: job, logger: logger)),
        ]
        if let drainIdleMs {
            services.append(.init(service: DrainMonitor(job: job, idleMs: drainIdleMs, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("job failed", metadata: ["error": "\(error)"])
            printError("weir run: \(error)")
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
                // The group join is the broker's (3 s on the embedded one); report it apart.
                let m = job.slotMetrics
                let subscribed = m.map { $0.subscribedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min() ?? first
                let assigned = m.map { $0.assignedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min() ?? first
                let ms = { (a: UInt64, b: UInt64) in String(format: "%.1f", Double(b &- a) / 1e6) }
                logger.info("first record processed", metadata: [
                    "ms_since_start": "\(ms(startNanos, first))",
                    "ms_start_to_subscribed": "\(ms(startNanos, subscribed))",
                    "ms_group_join": "\(ms(subscribed, assigned))",
                    "ms_assigned_to_first_record": "\(ms(assigned, first))",
                ])
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await gracefulShutdown()
    }
}

/// Ends a bounded run: once records have flowed and none arrived for `idleMs`,
/// the input counts as ended (open windows fire) and the group shuts down.
struct DrainMonitor: Service {
    let job: Job
    let idleMs: Int
    let logger: Logger

    func run() async throws {
        var last = -1
        var since = monotonicNanos()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(50))
            // Idle time counts from the first assignment (the group join is not idleness).
            let assignedAt = job.slotMetrics.map { $0.assignedNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min()
            guard let assignedAt else { continue }
            let n = job.metrics.processed
            if n != last { last = n; since = monotonicNanos(); continue }
            if monotonicNanos() - max(since, assignedAt) >= UInt64(idleMs) * 1_000_000 {
                logger.info("input drained", metadata: ["processed": "\(n)"])
                job.stop(flush: true)
                return
            }
        }
    }
}
