import Logging
import ServiceLifecycle
import WeirEngine
import WeirKafka
import WeirPipelines

/// The running jobs of one pipeline: its job, and before it the first stage
/// when `keyBy` goes through the repartition topic (a repartitioned pipeline
/// runs as two exactly-once jobs in one service group). What `weir run` and
/// `weir dev` start, and what a managed job of `weir serve` will run.
public struct PipelineJobs: Sendable {
    /// The job writing the pipeline's sink (the one savepoints cover).
    public let main: Job
    /// The first stage of a repartitioned pipeline.
    public let feeder: Job?

    /// In pipeline order: the first stage first.
    public var inOrder: [Job] { (feeder.map { [$0] } ?? []) + [main] }

    /// `spec` is the pipeline's job as it will run (parallelism and registry
    /// settled); the first stage takes its parallelism and registry.
    /// `createRepartitionTopic`: make sure the repartition topic exists (a
    /// real cluster; the embedded broker's topics are created by the caller).
    public init(pipeline: Pipeline, spec: JobSpec, runtime: RuntimeConfig, savepoint: Savepoint? = nil,
                createRepartitionTopic: Bool = true, logger: Logger) throws {
        if let stage = pipeline.repartition {
            var first = stage.job
            first.parallelism = spec.parallelism
            if first.formats.registry == nil { first.formats.registry = spec.formats.registry }
            if createRepartitionTopic {
                do {
                    try RepartitionTopic.ensure(stage.topic, sourceTopics: first.source.topics, kafka: runtime.kafka, logger: logger)
                } catch {
                    throw PipelineJobsError("the repartition topic \(stage.topic): \(error)")
                }
            }
            feeder = Job(spec: first, runtime: runtime, logger: logger)
        } else {
            feeder = nil
        }
        // Columns from the registry's schema, when the pipeline takes them from there.
        main = Job(spec: try RegistryColumns.resolve(pipeline, spec), runtime: runtime, savepoint: savepoint, logger: logger)
    }

    /// The jobs as services of one group: the main job ends the group when it
    /// ends; the first stage ending (stopped before the second in a bounded
    /// run) does not.
    public var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        (feeder.map { [.init(service: $0, successTerminationBehavior: .ignore)] } ?? []) + [.init(service: main)]
    }
}

public struct PipelineJobsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
