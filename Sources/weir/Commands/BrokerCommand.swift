import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import WeirKafka
import WeirSchemaRegistry

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka broker (librdkafka's mock cluster) as its own process.",
        discussion: """
        Prints the bootstrap servers on the first line of stdout and the schema registry's URL on the second, \
        then runs until SIGTERM or SIGINT. Schemas persist under --registry-dir. Creates weir serve's jobs topic \
        (weir-jobs, one partition) unless --topic names it.
        """)

    static let jobsTopic = "weir-jobs"

    @Option(help: "Number of brokers.") var brokers = 1
    @Option(help: "Also accept bootstrap connections on this fixed local port.") var port: Int?
    @Option(help: "Create a topic: NAME:PARTITIONS (repeatable).") var topic: [String] = []
    @Option(help: "Port of the embedded schema registry (0: any free port).") var registryPort = 0
    @Option(help: "Where the schema registry keeps its schemas.") var registryDir = "data/schema-registry"

    func run() async throws {
        let broker = try EmbeddedBroker(brokers: brokers)
        defer { broker.close() }
        for spec in topic {
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else {
                printError("weir broker: bad --topic '\(spec)', expected NAME:PARTITIONS"); throw ExitCode(1)
            }
            let partitions = parts.count > 1 ? Int(parts[1]) : 1
            guard let partitions, partitions > 0 else {
                printError("weir broker: bad partition count in --topic '\(spec)'"); throw ExitCode(1)
            }
            try broker.createTopic(name, partitions: partitions)
        }
        // weir serve's jobs topic (the embedded broker cannot create topics on request).
        if !topic.contains(where: { $0.hasPrefix("\(Self.jobsTopic):") || $0 == Self.jobsTopic }) {
            try broker.createTopic(Self.jobsTopic, partitions: 1)
        }
        var proxy: BootstrapProxy?
        if let port {
            guard let target = broker.bootstrapServers.split(separator: ",").first else { throw ExitCode(1) }
            proxy = try BootstrapProxy(port: port, target: String(target))
            print("127.0.0.1:\(port)")
        } else {
            print(broker.bootstrapServers)
        }
        let registry = try EmbeddedSchemaRegistry(directory: registryDir, port: registryPort)
        let registryURL = try await registry.start()
        print(registryURL)
        fflush(stdout)
        defer { Task { await registry.stop() } }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: WaitForShutdown())],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "weir.broker")))
        try await group.run()
        proxy?.close()
    }
}

/// A service that does nothing but wait for the group's graceful shutdown.
struct WaitForShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
