import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import WeirEngine
import WeirJobs
import WeirPipelines
import WeirServer

/// `weir serve`: one instance of a service group. Job definitions live in the
/// jobs topic; the pipeline files of a directory are registered there at
/// start, and jobs submitted over REST to any instance too. Every instance
/// runs its share of every running job and serves the REST API
/// (docs/rest-api.md, docs/service.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run pipelines as managed jobs of a service group, with a Flink-shaped REST API.")

    @Option(help: "Service configuration (YAML); WEIR_* environment variables override it.") var config: String?
    @Option(help: "Register every pipeline file (*.yaml, not *.test.yaml) of this directory (default: jobs.directory, pipelines, or WEIR_PIPELINES_DIR).")
    var pipelines: String?
    @Option(help: "REST API port (0: any free port; default: rest.port, 8081).") var port: Int?
    @Option(help: "REST API address (default: rest.address, 0.0.0.0).") var address: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "With a REST token set, reads need it too (health probes excepted; rest.protectReads).") var protectReads = false
    @Option(help: "Seconds a graceful shutdown (SIGTERM) may take (default: shutdown.timeout, 30 s); a second signal exits at once.")
    var shutdownTimeout: Int?

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        bootstrapLogging(logLevel)
        let logger = Logger(label: "weir.serve")
        var service = try loadServiceConfigOrExit(config)
        if let pipelines { service.jobsDirectory = pipelines }
        let directory = service.jobsDirectory
        let files = Self.pipelineFiles(directory, service: service)
        let kafka = RunSettings.kafka(service)
        let store = KafkaJobStore(kafka: kafka, topic: service.jobsTopic, logger: logger)
        let manager = JobManager(store: store, factory: PipelineJobFactory(service: service, logger: logger),
                                 instanceID: service.instanceID, files: files, version: RESTServer.version, logger: logger)
        let host = address ?? service.rest.address
        let shown = host == "0.0.0.0" ? "127.0.0.1" : host
        let tls = service.rest.tlsCertificateFile.flatMap { c in service.rest.tlsKeyFile.map { (certificateFile: c, keyFile: $0) } }
        let server: RESTServer
        do {
            server = try RESTServer(
                manager: manager, info: ServerInfo(service: service),
                auth: RESTAuth(token: service.rest.token, protectReads: protectReads || service.rest.protectReads),
                host: host, port: port ?? service.rest.port, tls: tls, logger: logger
            ) { [count = files.count, instance = service.instanceID, topic = service.jobsTopic, scheme = tls == nil ? "http" : "https"] port in
                print("weir serve: REST API at \(scheme)://\(shown):\(port) · instance \(instance) · "
                      + "jobs topic \(topic) · \(count) pipeline file(s) from \(directory)")
            }
        } catch {
            printError("weir serve: the REST API's TLS certificate or key cannot be read: \(error)")
            throw ExitCode(1)
        }
        // The server first: groups stop in reverse order, so it answers while the jobs drain.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: SecondSignalExit(logger: logger)), .init(service: server),
                       .init(service: manager, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        let timeoutMs = shutdownTimeout.map { $0 * 1000 } ?? service.shutdownTimeoutMs
        configuration.maximumGracefulShutdownDuration = .milliseconds(max(1000, timeoutMs))
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            printError("weir serve: \(error)")
            throw ExitCode(1)
        }
    }

    /// The directory's pipelines as job definitions; an invalid file is
    /// reported with file:line:column and skipped, the others go on.
    static func pipelineFiles(_ directory: String, service: ServiceConfig) -> [JobDefinition] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        } catch {
            printError("weir serve: cannot read the pipelines directory \(directory): \(error.localizedDescription) (no pipeline files registered)")
            return []
        }
        var definitions: [JobDefinition] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for file in names {
            let path = (directory as NSString).appendingPathComponent(file)
            let text: String
            let p: Pipeline
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
                p = try PipelineLoader(defaultParallelism: service.parallelism).load(yaml: text, file: path)
            } catch let error as PipelineError {
                printError("weir serve: \(path) not registered:\n\(error.description)")
                continue
            } catch {
                printError("weir serve: \(path) not registered: \(error.localizedDescription)")
                continue
            }
            guard !p.job.readsFiles else {
                printError("weir serve: \(path) not registered: it reads files (run it with `weir run`)")
                continue
            }
            guard !definitions.contains(where: { $0.name == p.definition.name.value }) else {
                printError("weir serve: \(path) not registered: another file defines a job named \(p.definition.name.value)")
                continue
            }
            definitions.append(JobDefinition(name: p.definition.name.value, pipeline: text, origin: path, updatedAt: now))
        }
        return definitions
    }
}
