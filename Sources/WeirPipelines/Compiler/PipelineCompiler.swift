import WeirEngine
import WeirFormats

/// Compiles a checked `PipelineDefinition` into the engine's `JobSpec`: binds
/// field names to slots, builds the steps, the output shape and the key.
public enum PipelineCompiler {
    /// - Parameter defaultParallelism: used when the file sets no `parallelism`.
    public static func compile(_ definition: PipelineDefinition, defaultParallelism: Int = 2) throws(PipelineError) -> JobSpec {
        // Input slots must come before computed ones, but input fields are
        // found while compiling: compile again with the fields found, until
        // no new one appears (the second run normally settles it).
        var preset: [FieldPath] = []
        for _ in 0..<4 {
            var b = ProgramBuilder(file: definition.file, presetInputs: preset)
            for step in definition.steps { apply(step, &b) }
            var outputKey: RowExpression?
            if case .kafka(let kafka) = definition.sink.kind, let key = kafka.key, let c = b.compile(key) {
                if c.type == .null {
                    b.error(key.location, "the message key expression is always null; leave 'key' out to keep the input key")
                }
                outputKey = c.node
            }
            let formats = FormatBinding.bind(definition, &b)
            let output = b.finishOutput()
            if !b.diagnostics.isEmpty { throw PipelineError(b.diagnostics) }
            if b.discoveredNewInputs, b.inputFields != preset {
                preset = b.inputFields
                continue
            }
            let program = RecordProgram(inputFields: b.inputFields, slotCount: b.slotCount, steps: b.steps,
                                        output: output, outputKey: outputKey)
            return JobSpec(name: definition.name.value, source: source(definition.source),
                           program: program, sink: sink(definition.sink),
                           deadLetterTopic: definition.deadLetterTopic?.value,
                           parallelism: definition.parallelism ?? defaultParallelism, formats: formats)
        }
        throw PipelineError([definition.name.location.diagnostic("internal error: field slots did not settle")])
    }

    /// One step into the builder; each kind lives in its own file under Steps/.
    static func apply(_ step: StepDefinition, _ b: inout ProgramBuilder) {
        switch step.kind {
        case .filter(let e): FilterStep.compile(e, into: &b)
        case .map(let entries): MapStep.compile(entries, into: &b)
        case .rename(let entries): RenameStep.compile(entries, step: step, into: &b)
        case .drop(let names): DropStep.compile(names, step: step, into: &b)
        case .select(let entries): SelectStep.compile(entries, step: step, into: &b)
        }
    }

    private static func source(_ s: SourceDefinition) -> JobSpec.Source {
        switch s.kind {
        case .kafka(let k):
            return JobSpec.Source(topics: k.topics.map(\.value), group: k.group, startFrom: k.startFrom, format: s.format)
        }
    }

    private static func sink(_ s: SinkDefinition) -> JobSpec.Sink {
        switch s.kind {
        case .kafka(let k):
            return JobSpec.Sink(topic: k.topic.value, format: s.format)
        }
    }
}
