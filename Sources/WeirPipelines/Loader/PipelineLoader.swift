import Foundation
import WeirEngine
import Yams

/// A loaded pipeline: what the file says, and the job it compiles to.
public struct Pipeline {
    public let definition: PipelineDefinition
    /// The job writing the pipeline's sink (the second stage when it repartitions).
    public let job: JobSpec
    /// The first stage, when `keyBy` goes through the repartition topic.
    public let repartition: RepartitionStage?
    /// Problems that do not stop the job (printed by `weir validate` and `weir run`).
    public let warnings: [Diagnostic]
    /// What the job does that the file does not spell out (severity info).
    public let notes: [Diagnostic]

    /// Every job to run, the repartition stage first.
    public var jobs: [JobSpec] { (repartition.map { [$0.job] } ?? []) + [job] }
}

/// Reads pipeline files (format in docs/pipelines.md), checks them and
/// compiles them. Every problem is reported as a `Diagnostic` with file,
/// line, column and field; as many as can be found in one run.
public struct PipelineLoader {
    /// Parallelism for pipelines that do not set their own.
    public var defaultParallelism: Int

    public init(defaultParallelism: Int = 2) {
        self.defaultParallelism = defaultParallelism
    }

    static let topLevelKeys = ["name", "source", "time", "steps", "sink", "deadLetter", "lateData", "parallelism",
                                "checkpoint", "restart", "schemaRegistry"]

    public static func load(path: String) throws(PipelineError) -> Pipeline {
        try PipelineLoader().load(path: path)
    }

    public static func load(yaml: String, file: String) throws(PipelineError) -> Pipeline {
        try PipelineLoader().load(yaml: yaml, file: file)
    }

    public func load(path: String) throws(PipelineError) -> Pipeline {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError([Diagnostic(file: path, line: 0, column: 0, field: "(file)",
                                            message: "cannot read the pipeline file: \(error.localizedDescription)")])
        }
        return try load(yaml: text, file: path)
    }

    public func load(yaml: String, file: String) throws(PipelineError) -> Pipeline {
        let definition = try Self.definition(yaml: yaml, file: file)
        let compiled = try PipelineCompiler.compile(definition, defaultParallelism: defaultParallelism)
        return Pipeline(definition: definition, job: compiled.job, repartition: compiled.repartition,
                        warnings: PipelineWarnings.of(definition), notes: compiled.notes)
    }

    /// Reads and checks the file without compiling it.
    public static func definition(yaml: String, file: String) throws(PipelineError) -> PipelineDefinition {
        let root: Node
        switch YAMLDocument.compose(yaml, file: file) {
        case .failure(let d): throw PipelineError([d])
        case .success(nil):
            throw PipelineError([Diagnostic(file: file, line: 1, column: 1, field: "(root)",
                                            message: "the pipeline file is empty; expected a mapping with name, source and sink")])
        case .success(.some(let node)): root = node
        }
        var reader = YAMLReader(file: file, text: yaml)
        let definition = read(root, &reader)
        if let definition, reader.diagnostics.isEmpty { return definition }
        throw PipelineError(reader.diagnostics.isEmpty
            ? [Diagnostic(file: file, line: 1, column: 1, field: "(root)", message: "the pipeline could not be read")]
            : reader.diagnostics)
    }

    private static func read(_ root: Node, _ reader: inout YAMLReader) -> PipelineDefinition? {
        guard let m = reader.mapping(root, "", known: topLevelKeys,
                                     expected: "a mapping with name, source, steps and sink") else {
            return nil
        }
        var name: Located<String>?
        if let n = m.require("name", "the job name", in: &reader), let s = reader.located(n, "name", expected: "a job name") {
            if let problem = Names.jobNameProblem(s.value) { reader.error("name", n, problem) } else { name = s }
        }
        let source = m.require("source", "where records come from", in: &reader)
            .flatMap { SourceLoader.load($0, jobName: name?.value, &reader) }
        let steps = m["steps"].map { StepLoader.load($0, &reader) } ?? []
        let sink = m.require("sink", "where results go", in: &reader).flatMap { SinkLoader.load($0, &reader) }
        let deadLetter = m["deadLetter"].flatMap { DestinationLoader.load($0, "deadLetter", what: "the dead-letter topic", &reader) }
        let lateData = m["lateData"].flatMap { DestinationLoader.load($0, "lateData", what: "the late-data topic", &reader) }
        let time = m["time"].flatMap { TimeLoader.load($0, &reader) }
        var parallelism: Int?
        if let p = m["parallelism"] { parallelism = reader.int(p, "parallelism", in: 1...64) }
        let checkpointInterval = m["checkpoint"].flatMap { FaultToleranceLoader.checkpointInterval($0, &reader) }
        let restart = m["restart"].flatMap { FaultToleranceLoader.restart($0, &reader) }

        let formats = FormatLoader.load(root: m, sourceFormat: source?.format, sinkFormat: sink?.format, &reader)
        guard let name, let source, let sink, reader.diagnostics.isEmpty else { return nil }
        OutputChecks.check(source, sink, deadLetter: deadLetter, lateData: lateData, &reader)
        var definition = PipelineDefinition(file: reader.file, name: name, source: source, steps: steps, sink: sink,
                                            deadLetter: deadLetter, parallelism: parallelism, time: time, lateData: lateData)
        definition.checkpointIntervalMs = checkpointInterval
        definition.restart = restart
        definition.formats = formats
        return definition
    }
}
