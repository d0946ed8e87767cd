import WeirEngine
import WeirPipelines

extension PipelineTestDriver {
    /// A driver for a loaded pipeline (both stages when it repartitions).
    public convenience init(pipeline: Pipeline, options: Options = Options()) throws {
        try self.init(jobs: pipeline.jobs, options: options)
    }

    /// A driver for a pipeline file; a refused file throws its diagnostics (`PipelineError`).
    public convenience init(pipelineFile path: String, options: Options = Options()) throws {
        try self.init(pipeline: try PipelineLoader.load(path: path), options: options)
    }

    /// A driver for pipeline YAML text (`file` names it in diagnostics).
    public convenience init(yaml: String, file: String = "pipeline.yaml", options: Options = Options()) throws {
        try self.init(pipeline: try PipelineLoader.load(yaml: yaml, file: file), options: options)
    }
}
