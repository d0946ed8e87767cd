import ArgumentParser
import Synchronization
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import WeirEngine
import WeirKafka
import WeirFormats
import WeirJobs
import WeirPipelines
import WeirSchemaRegistry
import WeirServer

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a pipeline on an embedded Kafka broker, in-process: no services needed.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(help: "Write N sample events to the source topic, then exit once all are processed.") var generate: Int?
    @Option(help: "Partitions of the topics created on the embedded broker (default: 4, or as many as --generate needs).") var partitions: Int?
    @Option(help: "Output records to print at the end.") var sample = 5
    @Option(help: "Persist the embedded schema registry's schemas in this directory (default: memory only, like the broker).") var registryDir: String?
    @Flag(help: "Log librdkafka and task details.") var verbose = false
    @Option(help: "Serve the REST API on this port while the job runs (a free port when it is taken; 0: any).") var port = 8081
    @Flag(help: "Keep running (and serving the API) after the generated events are processed, until Ctrl-C.") var serve = false

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // progress lines reach a pipe as they happen
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = verbose ? .debug : .warning
            return h
        }
        let p = try loadPipelineOrExit(pipeline)
        var job = p.job
        guard !job.readsFiles else {
            printError("weir dev: \(pipeline) reads files; run it with `weir run \(pipeline)` (no broker needed)")
            throw ExitCode(1)
        }
        // The embedded broker drops a partition's oldest records beyond 5 MiB: enough
        // partitions for the generated events, or a clear refusal of too few.
        let needed = EmbeddedBrokerCapacity.partitionsNeeded(events: generate ?? 0, bytesPerEvent: SampleClicks.approximateBytes)
        let partitionCount = partitions ?? max(4, needed)
        if let n = generate, let message = EmbeddedBrokerCapacity.shortfall(
            topic: (p.repartition?.job ?? job).source.topics[0], partitions: partitionCount, events: n,
            bytesPerEvent: SampleClicks.approximateBytes, fix: "Leave out --partitions, give --partitions \(needed) or more, or generate fewer events.") {
            printError("weir dev: \(message)"); throw ExitCode(1)
        }
        let broker = try EmbeddedBroker(brokers: 1)
        defer { broker.close() }
        // The repartition topic (a source of the second stage) gets the source's partition count too.
        for topic in Set(p.jobs.flatMap(\.topics)) { try broker.createTopic(topic, partitions: partitionCount) }
        if partitions == nil && partitionCount > 4 {
            print("weir dev: \(partitionCount) partitions per topic, so that the embedded broker holds \(generate ?? 0) events (it keeps at most 5 MiB per partition)")
        }
        // The schema registry runs in-process too; pipelines that name their own keep it.
        let registry = try EmbeddedSchemaRegistry(directory: registryDir)
        let registryURL = try await registry.start()
        defer { Task { await registry.stop() } }
        if job.formats.registry == nil { job.formats.registry = SchemaRegistryConfig(url: registryURL) }
        var first = p.repartition?.job
        if first?.formats.registry == nil { first?.formats.registry = SchemaRegistryConfig(url: registryURL) }
        let source = first ?? job
        print("weir dev: embedded broker at \(broker.bootstrapServers), schema registry at \(registryURL); job \(job.name): \(JobDescription.flow(p))")

        let kafka = KafkaConfig(bootstrapServers: broker.bootstrapServers)
        if let n = generate {
            let t0 = Date()
            if source.source.format == .avro, let config = source.formats.registry {
                try SampleAvroWriter.write(count: n, to: source.source.topics[0], kafka: kafka,
                                           registry: try SchemaRegistryClients.shared(config))
            } else {
                try SampleWriter.write(count: n, to: source.source.topics[0], kafka: kafka)
            }
            print(String(format: "  wrote %d sample events to %@ in %.2fs", n, source.source.topics[0], Date().timeIntervalSince(t0)))
        }

        let runtime = RuntimeConfig(kafka: kafka, instanceID: "dev")
        // The embedded broker has every topic already (created above).
        let pipelineJobs = try PipelineJobs(pipeline: p, spec: job, runtime: runtime, createRepartitionTopic: false,
                                            logger: Logger(label: "weir.dev"))
        let running = pipelineJobs.main
        let jobs = pipelineJobs.inOrder
        let monitor = DevMonitor(jobs: jobs, expected: generate)
        // The same REST API as weir serve, over this one job.
        // The same job manager and REST API as weir serve, with the definitions kept in memory.
        let definition = JobDefinition(name: p.definition.name.value, pipeline: (try? String(contentsOfFile: pipeline, encoding: .utf8)) ?? "",
                                       origin: pipeline, updatedAt: Int64(Date().timeIntervalSince1970 * 1000))
        let factory = DevJobFactory(first: pipelineJobs, name: definition.name, runtime: runtime, registryURL: registryURL)
        let manager = JobManager(store: LocalJobStore([.job(definition)]), factory: factory, instanceID: runtime.instanceID,
                                 version: RESTServer.version, logger: Logger(label: "weir.dev"))
        let info = ServerInfo(instanceID: runtime.instanceID, bootstrapServers: broker.bootstrapServers, schemaRegistryURL: registryURL,
                              savepointsDirectory: "data/savepoints")
        let api = try RESTServer(manager: manager, info: info, host: "127.0.0.1", port: port, fallBackToAnyPort: true,
                                 logger: Logger(label: "weir.dev")) { bound in
            print("weir dev: REST API at http://127.0.0.1:\(bound) (job \(JobID(name: definition.name)))")
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: api), .init(service: manager)]
        // Without --serve the monitor ends the group once the generated events are processed.
        if !serve || generate == nil { services.append(.init(service: monitor, successTerminationBehavior: .gracefullyShutdownGroup)) }
        else { services.append(.init(service: monitor, successTerminationBehavior: .ignore)) }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "weir.dev")))
        try await group.run()

        let m = jobs[0].metrics, out = running.metrics
        let deadLettered = jobs.reduce(0) { $0 + $1.metrics.deadLettered }, commits = jobs.reduce(0) { $0 + $1.metrics.commits }
        let target = job.sink.files.map { "\($0.format.rawValue) files under \($0.path)" } ?? job.sink.topic
        print("weir dev: \(m.processed) processed · \(out.emitted) written to \(target) · \(m.filtered) filtered · \(deadLettered) dead-lettered\(job.deadLetterTopic.map { " (to \($0))" } ?? "")\(job.stateful == nil ? "" : " · \(out.late) late") · \(commits) commits")
        if sample > 0, job.sink.isKafka {
            print("sample of \(job.sink.topic):")
            let avro = try job.sink.format == .avro ? job.formats.registry.map { try SchemaRegistryClients.shared($0) } : nil
            for line in try OutputSampler.read(topic: job.sink.topic, kafka: kafka, count: sample, avro: avro) {
                print("  \(line)")
            }
        }
        if let n = generate, m.processed < n {
            printError("weir dev: only \(m.processed) of \(n) events were processed")
            throw ExitCode(1)
        }
    }
}

/// Prints progress once a second; with an expected count, returns (and so
/// shuts the group down gracefully) once every event is processed. A
/// repartitioned pipeline's second stage is stopped once it has read what the
/// first wrote (or read nothing new for 3 s after the first stopped).
struct DevMonitor: Service {
    /// In pipeline order; progress is the first's.
    let jobs: [Job]
    let expected: Int?

    func run() async throws {
        let job = jobs[0]
        let reporter = ProgressReporter(job: job, expected: expected)
        let start = Date()
        var previous = 0
        var last = start
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(100))
            if let n = expected, job.metrics.processed >= n {
                print(reporter.line(elapsed: Date().timeIntervalSince(start), previous: previous, interval: Date().timeIntervalSince(last)))
                job.stop(flush: true)   // the generated input has ended: fire open windows
                await drainLaterStages()
                return
            }
            if Date().timeIntervalSince(last) >= 1 {
                let now = Date()
                print(reporter.line(elapsed: now.timeIntervalSince(start), previous: previous, interval: now.timeIntervalSince(last)))
                previous = job.metrics.processed
                last = now
            }
        }
    }

    static let stallLimit: TimeInterval = 30

    private func drainLaterStages() async {
        for (feeding, job) in zip(jobs, jobs.dropFirst()) {
            while !feeding.hasEnded {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
            // Stop once the stage has read all the first wrote. Its group join, a rebalance
            // between its tasks and a restore are not idleness: only progress stopping for
            // `stallLimit` while it has partitions ends the wait early (then, with a warning).
            let written = feeding.metrics.emitted
            var seen = -1, since = Date()
            while job.metrics.processed < written {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                try? await Task.sleep(for: .milliseconds(50))
                let slots = job.slotMetrics
                let assigned = slots.contains { $0.assignedNanos.load(ordering: .relaxed) > 0 }
                let restoring = slots.contains { $0.restoring.load(ordering: .relaxed) }
                if !assigned || restoring || job.metrics.processed != seen {
                    seen = job.metrics.processed; since = Date()
                } else if Date().timeIntervalSince(since) >= Self.stallLimit {
                    printError("weir dev: \(job.spec.name) read \(job.metrics.processed) of the \(written) records the stage before wrote, then nothing for \(Int(Self.stallLimit)) s; stopping it")
                    break
                }
            }
            job.stop(flush: true)
        }
    }
}

/// `weir dev`'s jobs: its own pipeline's, already built on the embedded
/// broker, and any pipeline submitted over REST, built against the same broker.
final class DevJobFactory: JobFactory {
    let first: PipelineJobs
    let name: String
    let runtime: RuntimeConfig
    let registryURL: String
    private let handedOut = Atomic<Bool>(false)

    init(first: PipelineJobs, name: String, runtime: RuntimeConfig, registryURL: String) {
        self.first = first; self.name = name; self.runtime = runtime; self.registryURL = registryURL
    }

    func make(_ definition: JobDefinition) throws -> PipelineJobs {
        if definition.name == name, definition.savepointPath == nil, !handedOut.exchange(true, ordering: .acquiringAndReleasing) {
            return first
        }
        let p = try PipelineLoader().load(yaml: definition.pipeline, file: definition.origin)
        var spec = p.job
        spec.parallelism = definition.parallelism ?? p.definition.parallelism ?? spec.parallelism
        if spec.formats.registry == nil { spec.formats.registry = SchemaRegistryConfig(url: registryURL) }
        let savepoint = try definition.savepointPath.map { try Savepoint.load(directory: $0) }
        return try PipelineJobs(pipeline: p, spec: spec, runtime: runtime, savepoint: savepoint, createRepartitionTopic: false,
                                logger: Logger(label: "weir.dev"))
    }

    func savepointPartitions(_ jobs: PipelineJobs) -> Set<Savepoint.TopicPartitionKey>? { nil }
}
