import Logging
import WeirEngine
import WeirKafka
import WeirPipelines

/// Compiles a definition's pipeline text under the service config, as `weir
/// run` would: its parallelism (the definition's over the pipeline's over the
/// config's), its savepoint, the repartition topic made sure of.
public struct PipelineJobFactory: JobFactory {
    public let service: ServiceConfig
    let logger: Logger

    public init(service: ServiceConfig, logger: Logger) { self.service = service; self.logger = logger }

    public func make(_ definition: JobDefinition) throws -> PipelineJobs {
        let p = try PipelineLoader(defaultParallelism: service.parallelism).load(yaml: definition.pipeline, file: definition.origin)
        guard !p.job.readsFiles else { throw PipelineJobsError("\(definition.origin) reads files: run it with `weir run`") }
        let (spec, runtime) = RunSettings.make(p, service: service, overrides: .init(parallelism: definition.parallelism))
        let savepoint = try definition.savepointPath.map { try Savepoint.load(directory: $0) }
        return try PipelineJobs(pipeline: p, spec: spec, runtime: runtime, savepoint: savepoint, logger: logger)
    }

    public func savepointPartitions(_ jobs: PipelineJobs) -> Set<Savepoint.TopicPartitionKey>? {
        guard let admin = try? KafkaAdmin(config: jobs.main.runtime.kafka) else { return nil }
        defer { admin.close() }
        var all = Set<Savepoint.TopicPartitionKey>()
        for topic in jobs.main.spec.source.topics {
            guard let n = try? admin.partitionCount(topic: topic) else { return nil }
            for p in 0..<Int32(n) { all.insert(.init(topic: topic, partition: p)) }
        }
        return all
    }
}
