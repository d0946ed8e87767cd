import WeirEngine
import WeirFormats

/// State of compiling one pipeline's steps: slots, the visible fields, the
/// output plan, the engine steps so far and the problems found.
///
/// Slots are SSA: input fields take `0..<inputFields.count` (the decoder fills
/// them), every computed value gets a fresh slot after those. Because input
/// fields are discovered while compiling, `PipelineCompiler` runs the builder
/// again with the input fields known in advance (see `init`).
struct ProgramBuilder {
    let file: String
    private(set) var inputFields: [FieldPath]
    private var inputSlots: [FieldPath: Int] = [:]
    private var nextComputed: Int
    /// True when a field not in the preset list was read (the slot layout
    /// then has to be computed again).
    private(set) var discoveredNewInputs = false

    var steps: [RecordProgram.Step] = []
    var scope = FieldScope()
    var output = OutputPlan()
    var stateful = StatefulPlan()
    private(set) var diagnostics: [Diagnostic] = []
    /// The source's Avro reader schema and `required` fields: what input
    /// fields are known to hold (`cellKinds`).
    var readerSchema: AvroSchema?
    var requiredPaths: Set<FieldPath> = []

    /// `presetInputs`: the input fields found by a previous run, in order;
    /// computed slots start after them.
    init(file: String, presetInputs: [FieldPath]) {
        self.file = file
        self.inputFields = presetInputs
        for (i, p) in presetInputs.enumerated() { inputSlots[p] = i }
        nextComputed = presetInputs.count
    }

    var slotCount: Int { max(nextComputed, inputFields.count) }

    mutating func append(_ d: Diagnostic) { diagnostics.append(d) }

    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(location.diagnostic(message))
    }

    mutating func inputSlot(_ path: FieldPath) -> Int {
        if let s = inputSlots[path] { return s }
        discoveredNewInputs = true
        let s = inputFields.count
        inputFields.append(path)
        inputSlots[path] = s
        return s
    }

    mutating func newSlot() -> Int {
        defer { nextComputed += 1 }
        return nextComputed
    }

    mutating func slot(for binding: FieldBinding) -> Int {
        switch binding {
        case .input(let p): return inputSlot(p)
        case .computed(let s, _): return s
        }
    }

    /// Compiles an expression against the fields visible now; nil after
    /// recording a diagnostic that points inside the expression.
    /// `reserved`: names that are not fields (a pattern condition's stage references), resolved as given.
    mutating func compile(_ expression: PipelineExpression, reserved: [FieldPath: FieldResolution] = [:]) -> CompiledExpression? {
        // The resolver runs inside the compiler; collect the input paths it
        // needs and assign their slots here, where `self` is mutable.
        var resolved: [FieldPath: Int] = [:]
        let scope = self.scope
        let required = requiredPaths
        for path in expression.syntax.referencedFields where reserved[path] == nil {
            if case .success(.input(let p)) = scope.resolve(path), resolved[p] == nil {
                resolved[p] = inputSlot(p)
            }
        }
        let compiler = ExpressionCompiler(text: expression.text) { path in
            if let r = reserved[path] { return r }
            switch scope.resolve(path) {
            case .failure(let e): return .failure(e.message)
            case .success(.computed(let slot, let type)): return .slot(slot, type)
            case .success(.input(let p)):
                guard let s = resolved[p] else { return .failure("internal error: field '\(p)' has no slot") }
                // A `source.required` field is never null or missing once the record is past the door.
                return .slot(s, required.contains(p) ? ValueType.any.nonNull : .any)
            }
        }
        do {
            return try compiler.compile(expression.syntax)
        } catch {
            diagnostics.append(expression.diagnostic(error))
            return nil
        }
    }

    /// What a computed value binds its name to: a bare field reference is an
    /// alias of that field (no copy, and `alias.sub` keeps working); anything
    /// else is evaluated into a fresh slot.
    mutating func bind(_ compiled: CompiledExpression, _ expression: PipelineExpression) -> FieldBinding {
        if let path = expression.syntax.fieldPath, case .success(let binding) = scope.resolve(path) {
            return binding
        }
        let slot = newSlot()
        steps.append(.assign(slot: slot, compiled.node))
        return .computed(slot: slot, type: compiled.type)
    }

    /// What a compiled key or aggregate input can hold: an input field read as
    /// it is has its reader schema's kinds (anything without one), never null
    /// when `source.required` lists it; anything else its static type.
    func cellKinds(_ compiled: CompiledExpression, _ expression: PipelineExpression) -> CellKinds {
        if let path = expression.syntax.fieldPath, case .success(.input(let p)) = scope.resolve(path) {
            var kinds = readerSchema?.cellKinds(at: p) ?? .any
            if requiredPaths.contains(p) { kinds.remove(.null) }
            return kinds
        }
        return compiled.type.cellKinds
    }

    /// The output shape with final slots.
    mutating func finishOutput() -> RecordProgram.Output {
        let fields = output.fields
        switch output.mode {
        case .original:
            return .original
        case .edited:
            let append = fields.map { (name: $0.name, slot: slot(for: $0.binding)) }
            return .edited(removed: output.removed, append: append)
        case .projected:
            return .projected(fields.map { (name: $0.name, slot: slot(for: $0.binding)) })
        }
    }
}
