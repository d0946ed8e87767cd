import WeirEngine

/// Turns a job definition into the jobs that run it, for the job manager.
/// `weir serve` compiles the pipeline text under its service config
/// (`PipelineJobFactory`); `weir dev` hands over the jobs it has built.
public protocol JobFactory: Sendable {
    func make(_ definition: JobDefinition) throws -> PipelineJobs
    /// Every partition a savepoint of `jobs` must hold, over all instances
    /// (the main job's source partitions); nil when it cannot be known.
    func savepointPartitions(_ jobs: PipelineJobs) -> Set<Savepoint.TopicPartitionKey>?
}
