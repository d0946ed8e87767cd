import ArgumentParser
import WeirKafka
import WeirServer

@main
struct Weir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weir",
        abstract: "Stream processing on Kafka: event time, keyed state, exactly once.",
        version: "weir \(RESTServer.version) (librdkafka \(KafkaVersion.string))",
        subcommands: [DevCommand.self, RunCommand.self, BrokerCommand.self, ValidateCommand.self, BenchCommand.self,
                      GenerateCommand.self, ConsumeCommand.self, SavepointCommand.self, ServeCommand.self, TestCommand.self,
                      ListCommand.self, InfoCommand.self, SubmitCommand.self, CancelCommand.self, StopCommand.self]
    )
}
