import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import WeirEngine
import WeirFormats
import WeirJobs
import WeirKafka
import WeirPipelines

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline: against the Kafka cluster named in the service config, or over files to the end of its input.",
        discussion: "A pipeline with a file source runs without Kafka, exits 0 at the end of its input and prints a summary to stderr.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(help: "Service configuration (YAML); WEIR_* environment variables override it.") var config: String?
    @Option(help: "Tasks in this instance (overrides the pipeline and config).") var parallelism: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Schema registry URL for pipelines that name none (over the config's schemaRegistry and WEIR_SCHEMA_REGISTRY_URL).") var schemaRegistry: String?
    @Option(help: "Treat the input as ended once no record arrived for this long (ms): fire open windows, checkpoint, exit 0. For bounded runs and tests.")
    var drainIdleMs: Int?
    @Option(help: "Checkpoint interval in ms (overrides the pipeline, the config's checkpoint.interval and WEIR_CHECKPOINT_INTERVAL; default 5000).") var checkpointInterval: Int?
    @Option(help: "Start every partition from this savepoint (written by `weir savepoint`).") var fromSavepoint: String?
    @Option(help: "File source: read this file instead of the pipeline's (repeatable, one partition each; - is stdin).")
    var input: [String] = []
    @Option(help: "File source: write results to this file instead of the pipeline's sink (- is stdout).")
    var output: String?
    @Flag(help: "File source: read, decode and aggregate on one thread (by default a pipeline with a keyed stage reads and decodes on a second thread when the machine has two or more cores; the output is the same).")
    var singleThread = false

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // progress lines reach a pipe as they happen
        let startNanos = monotonicNanos()
        bootstrapLogging(logLevel)
        let logger = Logger(label: "weir.run")
        let p = try loadPipelineOrExit(pipeline)
        if p.job.readsFiles || !input.isEmpty || output != nil {
            try await runFiles(p)
            return
        }
        let service = try loadServiceConfigOrExit(config)
        let (spec, runtime) = RunSettings.make(p, service: service, overrides: .init(
            parallelism: parallelism, checkpointIntervalMs: checkpointInterval, schemaRegistryURL: schemaRegistry))
        var savepoint: Savepoint?
        if let fromSavepoint {
            do { savepoint = try Savepoint.load(directory: fromSavepoint) } catch {
                printError("weir run: \(error)"); throw ExitCode(1)
            }
        }
        let jobs: PipelineJobs
        do {
            jobs = try PipelineJobs(pipeline: p, spec: spec, runtime: runtime, savepoint: savepoint, logger: logger)
        } catch {
            printError("weir run: \(error)"); throw ExitCode(1)
        }
        let job = jobs.main
        var services = jobs.services + [
            .init(service: StartupReporter(job: jobs.inOrder[0], startNanos: startNanos, logger: logger)),
            .init(service: SavepointTrigger(job: job, logger: logger)),
        ]
        if let drainIdleMs {
            services.append(.init(service: DrainMonitor(jobs: jobs.inOrder, idleMs: drainIdleMs, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        defer {
            let pauses = job.slotMetrics.map(\.checkpointPauses)
            let p50 = pauses.compactMap { $0.quantileMs(0.5) }.max(), p99 = pauses.compactMap { $0.quantileMs(0.99) }.max()
            logger.info("checkpoints", metadata: [
                "count": "\(pauses.reduce(0) { $0 + $1.count })",
                "pause_p50_ms": "\(p50.map { String(format: "%.1f", $0) } ?? "-")",
                "pause_p99_ms": "\(p99.map { String(format: "%.1f", $0) } ?? "-")",
                "snapshot_p50_ms": "\(job.slotMetrics.compactMap { $0.checkpointSnapshots.quantileMs(0.5) }.max().map { String(format: "%.1f", $0) } ?? "-")",
                "snapshot_p99_ms": "\(job.slotMetrics.compactMap { $0.checkpointSnapshots.quantileMs(0.99) }.max().map { String(format: "%.1f", $0) } ?? "-")",
                "durable_p99_ms": "\(job.slotMetrics.compactMap { $0.checkpointDurations.quantileMs(0.99) }.max().map { String(format: "%.1f", $0) } ?? "-")",
            ])
        }
        do {
            try await group.run()
        } catch {
            logger.error("job failed", metadata: ["error": "\(error)"])
            printError("weir run: \(error)")
            throw ExitCode(2)
        }
    }

    /// A file source: run to the end of the input, then print a summary.
    private func runFiles(_ p: Pipeline) async throws {
        var spec = p.job
        guard spec.readsFiles else {
            printError("weir run: --input and --output are for pipelines with a file source; \(pipeline) reads Kafka")
            throw ExitCode(1)
        }
        if !input.isEmpty { spec.source = JobSpec.Source(files: input, format: spec.source.format) }
        if let output { spec.sink = JobSpec.Sink(output == "-" ? .stdout : .file(output), format: spec.sink.format) }
        if case .file(let out) = spec.sink.kind, spec.source.files?.contains(out) == true {
            printError("weir run: the output \(out) is also an input; it would be overwritten")
            throw ExitCode(1)
        }
        let job: FileJob
        do { job = try FileJob(spec: spec, decodeAhead: singleThread ? false : nil) } catch {
            printError("weir run: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: job, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "weir.run")))
        do {
            try await group.run()
        } catch {
            printError("weir run: \(spec.name) failed: \(error)")
            throw ExitCode(2)
        }
        guard let s = job.summary else { throw ExitCode(2) }
        printError(FileRunSummary.line(spec, s))
        if s.stopped { throw ExitCode(130) }
    }
}
