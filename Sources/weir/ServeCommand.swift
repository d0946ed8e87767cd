import ArgumentParser
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import WeirEngine
import WeirJobs
import WeirPipelines
import WeirServer

/// `weir serve`: runs every pipeline of a directory as a managed job and serves
/// the REST API about them (docs/rest-api.md). Work in progress (issue 10):
/// reads only; submitting and the jobs topic come next.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the pipelines of a directory as managed jobs, with a Flink-shaped REST API.")

    @Option(help: "Service configuration (YAML); WEIR_* environment variables override it.") var config: String?
    @Option(help: "Run every pipeline file (*.yaml, not *.test.yaml) of this directory (default: pipelines, or WEIR_PIPELINES_DIR).")
    var pipelines: String?
    @Option(help: "REST API port (0: any free port).") var port = 8081
    @Option(help: "REST API address.") var address = "0.0.0.0"
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "With WEIR_REST_TOKEN set, reads need the token too (health probes excepted).") var protectReads = false
    @Option(help: "Seconds a graceful shutdown (SIGTERM) may take before the jobs are cancelled; a second signal exits at once.")
    var shutdownTimeout = 30

    func run() async throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        bootstrapLogging(logLevel)
        let logger = Logger(label: "weir.serve")
        let environment = ProcessInfo.processInfo.environment
        let service = try loadServiceConfigOrExit(config)
        let directory = pipelines ?? environment["WEIR_PIPELINES_DIR"] ?? "pipelines"
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        } catch {
            printError("weir serve: cannot read the pipelines directory \(directory): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        var managed: [ManagedJob] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let p: Pipeline
            do { p = try PipelineLoader(defaultParallelism: service.parallelism).load(path: path) } catch {
                printError("weir serve: \(path) not started:\n\(error.description)")
                continue
            }
            guard !p.job.readsFiles else {
                printError("weir serve: \(path) not started: it reads files (run it with `weir run`)")
                continue
            }
            guard !managed.contains(where: { $0.name == p.definition.name.value }) else {
                printError("weir serve: \(path) not started: a job named \(p.definition.name.value) runs already")
                continue
            }
            let (spec, runtime) = RunSettings.make(p, service: service)
            do {
                let jobs = try PipelineJobs(pipeline: p, spec: spec, runtime: runtime, logger: logger)
                managed.append(ManagedJob(name: p.definition.name.value, jobs: jobs, logger: logger))
            } catch {
                printError("weir serve: \(path) not started: \(error)")
            }
        }
        let manager = JobManager(jobs: managed, logger: logger)
        let summary = managed.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        let shown = address == "0.0.0.0" ? "127.0.0.1" : address
        let server = RESTServer(manager: manager, info: ServerInfo(service: service),
                                auth: RESTAuth(token: environment["WEIR_REST_TOKEN"], protectReads: protectReads), host: address, port: port, logger: logger) { [count = managed.count] port in
            print("weir serve: REST API at http://\(shown):\(port) · \(count) job(s): \(summary)")
        }
        // The server first: groups stop in reverse order, so it answers while the jobs drain.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: SecondSignalExit(logger: logger)), .init(service: server), .init(service: manager)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(max(1, shutdownTimeout))
        try await ServiceGroup(configuration: configuration).run()
    }
}
