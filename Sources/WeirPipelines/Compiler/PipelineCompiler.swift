import WeirEngine
import WeirFormats

/// A compiled pipeline: the job that writes the results, and the job that
/// feeds it through the repartition topic when `keyBy` needs one.
public struct CompiledPipeline {
    /// The job writing the pipeline's sink (the second stage when repartitioned).
    public var job: JobSpec
    public var repartition: RepartitionStage?
    /// Info lines for `weir validate` (e.g. that and why the pipeline repartitions).
    public var notes: [Diagnostic] = []
}

/// The first stage of a repartitioned pipeline (docs/pipelines.md, "keyBy and partitions").
public struct RepartitionStage {
    /// `<job>-<operator>-repartition`: the internal topic, also the stage's job name.
    public var topic: String
    /// Source → stateless steps → the repartition topic, keyed by the key fields.
    public var job: JobSpec
}

/// Compiles a checked `PipelineDefinition` into the engine's `JobSpec`: binds
/// field names to slots, builds the steps, the output shape and the key.
public enum PipelineCompiler {
    /// - Parameter defaultParallelism: used when the file sets no `parallelism`.
    public static func compile(_ definition: PipelineDefinition, defaultParallelism: Int = 2) throws(PipelineError) -> CompiledPipeline {
        if let d = StepOrder.check(definition.steps) { throw PipelineError([d]) }
        let problems = StatefulChecks.check(definition)
        if !problems.isEmpty { throw PipelineError(problems) }
        // The whole pipeline as one job first: every check runs against the file as written.
        let (job, keyBindings) = try compileJob(definition, defaultParallelism: defaultParallelism)
        guard let shuffle = Repartitioning.plan(definition, keyBindings: keyBindings) else {
            return CompiledPipeline(job: job, notes: registryColumnsNote(job, definition))
        }
        let clashes = shuffle.collisions(definition)
        if !clashes.isEmpty { throw PipelineError(clashes) }
        var first = try compileJob(shuffle.firstStage(definition), defaultParallelism: defaultParallelism,
                                   repartitionBy: shuffle.keys, time: definition.time).job
        first.name = shuffle.topic
        first.sink.keepsInputTimestamp = true
        var second = try compileJob(shuffle.secondStage(definition), defaultParallelism: defaultParallelism).job
        // Event time crosses the shuffle as watermarks (WatermarkAnnouncement): the first stage
        // tracks its source partitions as the whole pipeline would; the second takes what it is told.
        if job.stateful?.timestamp != nil, let watermark = job.stateful?.watermark {
            first.watermarkAnnouncements = watermark
            second.stateful?.watermarksFromUpstream = true
            second.stateful?.watermark.maxOutOfOrdernessMs = 0
        }
        // The repartition topic is JSON without the source's reader schema or `required`;
        // the values through it are the same, so the results keep the types the whole pipeline has.
        if let whole = job.stateful, let op = try? whole.makeOperator() {
            second.stateful?.resultTypes = op.resultTypes(inputKinds: whole.inputKinds)
        }
        return CompiledPipeline(job: second, repartition: RepartitionStage(topic: shuffle.topic, job: first),
                                notes: [shuffle.note(definition)])
    }

    /// The info line of a files sink whose columns come from the registry at job start.
    private static func registryColumnsNote(_ job: JobSpec, _ d: PipelineDefinition) -> [Diagnostic] {
        guard let subject = job.sink.files?.columnsFromSubject, case .files(let f) = d.sink.kind else { return [] }
        return [f.location.diagnostic(
            "the Parquet columns come from the latest schema of the registry's subject '\(subject)' when the job starts (declare columns or source.schema to fix them here)",
            severity: .info)]
    }

    /// One job. `repartitionBy`: compile these key entries (and check the event
    /// time of `time`) after the steps, as the message key of the first stage.
    private static func compileJob(_ definition: PipelineDefinition, defaultParallelism: Int,
                                   repartitionBy keys: [KeyEntry]? = nil,
                                   time: TimeDefinition? = nil) throws(PipelineError) -> (job: JobSpec, keyBindings: [FieldBinding]) {
        // Input slots must come before computed ones, but input fields are
        // found while compiling: compile again with the fields found, until
        // no new one appears (the second run normally settles it).
        var preset: [FieldPath] = []
        for _ in 0..<4 {
            var b = ProgramBuilder(file: definition.file, presetInputs: preset)
            if definition.source.format == .avro { b.readerSchema = definition.formats.readerSchema }
            b.requiredPaths = Set(definition.formats.required.compactMap { FieldPath(parsing: $0.value) })
            for step in definition.steps { apply(step, &b) }
            var shuffleKey: RepartitionKey?
            if let keys { shuffleKey = repartitionKey(keys, time: time, &b) }
            let isStateful = b.stateful.keyBy != nil
            var outputKey: RowExpression?
            if case .kafka(let kafka) = definition.sink.kind, let key = kafka.key, let c = b.compile(key) {
                if c.type == .null {
                    b.error(key.location, "the message key expression is always null; leave 'key' out to keep the input key")
                }
                outputKey = c.node
            }
            let formats = FormatBinding.bind(definition, &b, stateful: isStateful)
            // The time field is read where the stateful steps start (after the stateless ones).
            var timeSlot: Int?
            if isStateful, case .field(let path, _)? = definition.time?.kind {
                switch b.scope.resolve(path.value) {
                case .success(let binding): timeSlot = b.slot(for: binding)
                case .failure(let e): b.error(path.location, "the time field: \(e.message)")
                }
            }
            // A stateful job's output rows come from its operator; the program only decodes and prepares.
            let output = isStateful ? .original : b.finishOutput()
            let slotCount = b.slotCount
            let stage = isStateful ? StatefulStageBuilder.build(b.stateful, time: definition.time, timeSlot: timeSlot,
                                                                lateData: definition.lateData, slotCount: slotCount, into: &b) : nil
            if let stage { ResultFormatBinding.check(definition, b.stateful, stage, &b) }
            var files: FilesSinkSpec?
            if case .files(let f) = definition.sink.kind { files = FilesSinkBinding.bind(f, definition, stage: stage, &b) }
            if !b.diagnostics.isEmpty { throw PipelineError(b.diagnostics) }
            if b.discoveredNewInputs, b.inputFields != preset {
                preset = b.inputFields
                continue
            }
            var program = RecordProgram(inputFields: b.inputFields, slotCount: slotCount, steps: b.steps,
                                        output: output, outputKey: outputKey)
            program.repartitionKey = shuffleKey
            var job = JobSpec(name: definition.name.value, source: source(definition.source),
                              program: program, sink: sink(definition.sink),
                              parallelism: definition.source.isFile ? 1 : definition.parallelism ?? defaultParallelism,
                              stateful: stage, formats: formats)
            job.deadLetter = definition.deadLetter?.engine
            if let files { job.sink = JobSpec.Sink(.files(files), format: .json) }
            return (job, b.stateful.keyBindings)
        }
        throw PipelineError([definition.name.location.diagnostic("internal error: field slots did not settle")])
    }

    /// The first stage's message key: the keyBy entries evaluated where keyBy
    /// will read them, and the event-time field checked there.
    private static func repartitionKey(_ keys: [KeyEntry], time: TimeDefinition?, _ b: inout ProgramBuilder) -> RepartitionKey {
        var slots: [Int] = []
        for entry in keys {
            guard let c = b.compile(entry.value) else { continue }
            slots.append(b.slot(for: b.bind(c, entry.value)))
        }
        var extractor: TimestampExtractor?
        if case .field(let path, let format)? = time?.kind, case .success(let binding) = b.scope.resolve(path.value) {
            extractor = TimestampExtractor(.field(slot: b.slot(for: binding), format: format))
        }
        return RepartitionKey(names: keys.map(\.name.value), slots: slots, timestamp: extractor)
    }

    /// One step into the builder; each kind lives in its own file under Steps/.
    static func apply(_ step: StepDefinition, _ b: inout ProgramBuilder) {
        switch step.kind {
        case .filter(let e): FilterStep.compile(e, into: &b)
        case .map(let entries): MapStep.compile(entries, into: &b)
        case .rename(let entries): RenameStep.compile(entries, step: step, into: &b)
        case .drop(let names): DropStep.compile(names, step: step, into: &b)
        case .select(let entries): SelectStep.compile(entries, step: step, into: &b)
        case .keyBy(let entries): KeyByStep.compile(entries, step: step, into: &b)
        case .window(let window): WindowStep.compile(window, step: step, into: &b)
        case .aggregate(let entries): AggregateStep.compile(entries, step: step, into: &b)
        case .reduce(let entries): ReduceStep.compile(entries, step: step, into: &b)
        case .pattern(let pattern): PatternStep.compile(pattern, step: step, into: &b)
        }
    }

    private static func source(_ s: SourceDefinition) -> JobSpec.Source {
        switch s.kind {
        case .kafka(let k):
            return JobSpec.Source(topics: k.topics.map(\.value), group: k.group, startFrom: k.startFrom, format: s.format)
        case .file(let f):
            return JobSpec.Source(files: f.paths.map(\.value), format: s.format)
        }
    }

    private static func sink(_ s: SinkDefinition) -> JobSpec.Sink {
        switch s.kind {
        case .kafka(let k): return JobSpec.Sink(topic: k.topic.value, format: s.format, deliveryGuarantee: k.deliveryGuarantee)
        case .file(let path): return JobSpec.Sink(path.value == "-" ? .stdout : .file(path.value), format: s.format)
        case .stdout: return JobSpec.Sink(.stdout, format: s.format)
        case .discard: return JobSpec.Sink(.discard, format: s.format)
        case .files: return JobSpec.Sink(.discard, format: .json)   // replaced by the bound files sink (compileJob)
        }
    }
}
