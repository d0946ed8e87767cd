/// Which checkpoint interval a job runs with, from the places that can set it.
public enum CheckpointInterval {
    /// Flink's usual choice, and Weir's when nothing else is set.
    public static let defaultMs = 5_000

    /// `--checkpoint-interval` beats the pipeline's `checkpoint.interval`, which
    /// beats the service config's (`WEIR_CHECKPOINT_INTERVAL` over
    /// `config/weir.yaml` over `defaultMs`, settled when the config was loaded).
    public static func resolve(flagMs: Int?, pipelineMs: Int64?, service: ServiceConfig) -> Int {
        flagMs ?? pipelineMs.map { Int($0) } ?? service.checkpointIntervalMs
    }
}
