import WeirFormats

/// The typed Swift API for embedding Weir as a library:
///
/// ```swift
/// let job = try Dataflow.source(fields: ["user_id", "amount", "ts"])
///     .assignTimestamps(field: "ts", format: .epochMillis,
///                       watermark: WatermarkConfig(maxOutOfOrdernessMs: 2_000, idleTimeoutMs: 30_000))
///     .keyBy("user_id")
///     .window(.tumbling(sizeMs: 60_000), allowedLatenessMs: 0)
///     .aggregate([.count(as: "cnt"), .sum("amount", as: "total")])
///     .sink { result in print(result["user_id"], result["total"]) }
/// try job.push(["user_id": .string("u1"), "amount": .double(1.5), "ts": .int(1_700_000_000_000)], partition: 0)
/// job.advance(nowMs: ...)   // watermark + processing-time timers
/// job.finish()              // end of input: fire what is left
/// ```
/// It compiles to the same `WindowOperator` / `KeyedReduceOperator` the
/// pipeline files compile to (and `.keyBy(…).pattern(…)` to the `CEPOperator`). `push(row:)` is the allocation-free path
/// (slots as `slot(of:)` says); the dictionary forms are for convenience.
public enum Dataflow {
    public static func source(fields: [String]) -> DataflowSource { DataflowSource(fields: fields) }
}

/// A value of the convenience API.
public enum FieldValue: Equatable, Sendable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), double(Double), string(String), json(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .json(let s): return s
        }
    }

    /// A row's cell as a value (strings copied out of the row's arena).
    public init(_ cell: Cell, in row: Row) {
        switch cell {
        case .missing, .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(row.string(s))
        case .json(let s): self = .json(row.string(s))
        }
    }

    /// The value as a cell of `row` (strings copied into its arena).
    public func store(into row: inout Row) -> Cell {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(row.store(s.utf8))   // no intermediate array
        case .json(let s): return .json(row.store(s.utf8))
        }
    }
}

/// An aggregate of the Swift API, by field name.
public struct DataflowAggregate {
    let make: (_ slot: (String) throws(WindowConfigError) -> Int) throws(WindowConfigError) -> AggregateSpec

    public static func count(as name: String) -> Self { .init { _ throws(WindowConfigError) in .count(as: name) } }
    public static func count(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .count(try s(f), as: name).inputNamed(f) } }
    public static func sum(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .sum(try s(f), as: name).inputNamed(f) } }
    public static func min(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .min(try s(f), as: name).inputNamed(f) } }
    public static func max(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .max(try s(f), as: name).inputNamed(f) } }
    public static func avg(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .avg(try s(f), as: name).inputNamed(f) } }
    public static func first(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .first(try s(f), as: name).inputNamed(f) } }
    public static func last(_ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .last(try s(f), as: name).inputNamed(f) } }
    public static func countDistinct(_ f: String, as name: String) -> Self {
        .init { s throws(WindowConfigError) in .countDistinct(try s(f), as: name).inputNamed(f) }
    }
    public static func collect(_ f: String, maxSize: Int, as name: String) -> Self {
        .init { s throws(WindowConfigError) in .collect(try s(f), maxSize: maxSize, as: name).inputNamed(f) }
    }
    public static func custom<A: CustomAggregator>(_ a: A, as name: String) -> Self {
        .init { _ throws(WindowConfigError) in .custom(a, as: name) }
    }
}

public struct DataflowSource {
    let fields: [String]
    var timestamps: TimestampSource?
    var watermark = WatermarkConfig(maxOutOfOrdernessMs: 0)
    var domain = TimeDomain.eventTime

    func slot(_ name: String) throws(WindowConfigError) -> Int {
        guard let i = fields.firstIndex(of: name) else { throw WindowConfigError("unknown field \"\(name)\"") }
        return i
    }

    /// Event time from a field.
    public func assignTimestamps(field: String, format: TimestampFormat, watermark: WatermarkConfig) throws(WindowConfigError) -> DataflowSource {
        var s = self
        s.timestamps = .field(slot: try slot(field), format: format)
        s.watermark = watermark
        return s
    }

    /// Event time from the Kafka record timestamp.
    public func assignKafkaTimestamps(watermark: WatermarkConfig) -> DataflowSource {
        var s = self
        s.timestamps = .kafkaTimestamp
        s.watermark = watermark
        return s
    }

    /// Processing time: records are stamped with the clock when they arrive.
    public func processingTime() -> DataflowSource {
        var s = self
        s.domain = .processingTime
        s.timestamps = nil
        return s
    }

    public func keyBy(_ fields: String...) throws(WindowConfigError) -> DataflowKeyed {
        var keys: [WindowOperatorConfig.KeyField] = []
        for f in fields { keys.append(.init(name: f, slot: try slot(f))) }
        return DataflowKeyed(source: self, keys: keys)
    }
}

public struct DataflowKeyed {
    let source: DataflowSource
    let keys: [WindowOperatorConfig.KeyField]

    public func window(_ spec: WindowSpec, allowedLatenessMs: Int64 = 0) -> DataflowWindowed {
        DataflowWindowed(keyed: self, spec: spec, lateness: allowedLatenessMs)
    }

    /// A running aggregate per key (no windows).
    public func reduce(_ aggregates: [DataflowAggregate]) throws(WindowConfigError) -> DataflowPipeline {
        let specs = try resolve(aggregates, source)
        let op = try KeyedReduceOperator(ReduceOperatorConfig(keyFields: keys, aggregates: specs, inputSlotCount: source.fields.count))
        return DataflowPipeline(source: source, op: op)
    }
}

extension DataflowKeyed {
    /// Pattern detection per key (Flink CEP's `CEP.pattern(keyedStream, pattern)`):
    /// one result per match, the key fields then `measures`. Conditions read
    /// fields by name: `Pattern<CEPEvent>.begin("fail").where { $0["ok"] == .bool(false) }`.
    /// With `timedOutField`, partial matches that `within` times out are emitted
    /// too, that field true. Time as the source says (event or processing time).
    public func pattern(_ pattern: Pattern<CEPEvent>, measures: [DataflowMeasure], timedOutField: String? = nil,
                        maxPartialMatchesPerKey: Int = 10_000) throws(WindowConfigError) -> DataflowPipeline {
        var resolved: [CEPMeasure] = []
        for m in measures { resolved.append(try m.make { n throws(WindowConfigError) in try source.slot(n) }) }
        let op = try CEPOperator(CEPOperatorConfig(keyFields: keys, pattern: pattern, timeDomain: source.domain,
                                                   measures: resolved, maxPartialMatchesPerKey: maxPartialMatchesPerKey,
                                                   timedOutField: timedOutField, inputSlotCount: source.fields.count,
                                                   inputFieldNames: source.fields))
        return DataflowPipeline(source: source, op: op)
    }
}

/// A measure of a match for the Swift API, by field name.
public struct DataflowMeasure {
    let make: (_ slot: (String) throws(WindowConfigError) -> Int) throws(WindowConfigError) -> CEPMeasure

    public static func count(_ stage: String, as name: String) -> Self { .init { _ throws(WindowConfigError) in .count(stage: stage, as: name) } }
    public static func first(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .first(stage: stage, slot: try s(f), as: name) } }
    public static func last(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .last(stage: stage, slot: try s(f), as: name) } }
    public static func sum(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .sum(stage: stage, slot: try s(f), as: name) } }
    public static func min(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .min(stage: stage, slot: try s(f), as: name) } }
    public static func max(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .max(stage: stage, slot: try s(f), as: name) } }
    public static func avg(_ stage: String, _ f: String, as name: String) -> Self { .init { s throws(WindowConfigError) in .avg(stage: stage, slot: try s(f), as: name) } }
    public static func matchStart(as name: String) -> Self { .init { _ throws(WindowConfigError) in .matchStart(as: name) } }
    public static func matchEnd(as name: String) -> Self { .init { _ throws(WindowConfigError) in .matchEnd(as: name) } }
}

func resolve(_ aggregates: [DataflowAggregate], _ source: DataflowSource) throws(WindowConfigError) -> [AggregateSpec] {
    var specs: [AggregateSpec] = []
    for a in aggregates { specs.append(try a.make { n throws(WindowConfigError) in try source.slot(n) }) }
    return specs
}

public struct DataflowWindowed {
    let keyed: DataflowKeyed
    let spec: WindowSpec
    let lateness: Int64

    public func aggregate(_ aggregates: [DataflowAggregate]) throws(WindowConfigError) -> DataflowPipeline {
        let source = keyed.source
        let specs = try resolve(aggregates, source)
        let op = try WindowOperator(WindowOperatorConfig(
            keyFields: keyed.keys, window: spec, timeDomain: source.domain, allowedLatenessMs: lateness,
            aggregates: specs, inputSlotCount: source.fields.count))
        return DataflowPipeline(source: source, op: op)
    }
}

public struct DataflowPipeline {
    let source: DataflowSource
    let op: any Operator

    /// Where results go; `late` gets records too late for every window.
    /// `clock` is processing time (a `ManualClock` in tests and replays).
    public func sink(clock: any OperatorClock = SystemClock(), late: ((DataflowResult) -> Void)? = nil,
                     _ body: @escaping (DataflowResult) -> Void) -> DataflowJob {
        DataflowJob(source: source, op: op, sink: body, late: late, clock: clock)
    }
}

/// One emitted result (or late record) of the convenience API.
public struct DataflowResult: CustomStringConvertible {
    public let fields: [(name: String, value: FieldValue)]
    public let kind: EmitKind
    public let partition: Int
    public subscript(_ name: String) -> FieldValue? { fields.first { $0.name == name }?.value }
    public var description: String { fields.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
}

/// A built dataflow: push records, advance time, finish.
public final class DataflowJob {
    public let op: any Operator
    public private(set) var tracker: WatermarkTracker
    let extractor: TimestampExtractor?
    let fields: [String]
    let clock: any OperatorClock
    private var row: Row
    private var output: Output

    struct Output: OperatorOutput {
        let layout: [(name: String, slot: Int)]
        let inputFields: [String]
        let sink: (DataflowResult) -> Void
        let late: ((DataflowResult) -> Void)?
        mutating func emit(_ row: Row, kind: EmitKind, partition: Int) {
            sink(DataflowResult(fields: layout.map { ($0.name, FieldValue(row.cells[$0.slot], in: row)) }, kind: kind, partition: partition))
        }
        mutating func late(_ row: Row, timestampMs: Int64, partition: Int) {
            late?(DataflowResult(fields: inputFields.enumerated().map { ($0.element, FieldValue(row.cells[$0.offset], in: row)) },
                                 kind: .insert, partition: partition))
        }
    }

    init(source: DataflowSource, op: any Operator, sink: @escaping (DataflowResult) -> Void,
         late: ((DataflowResult) -> Void)?, clock: any OperatorClock) {
        self.op = op
        self.fields = source.fields
        self.clock = clock
        tracker = WatermarkTracker(config: source.watermark)
        extractor = source.timestamps.map(TimestampExtractor.init)
        row = Row(slotCount: source.fields.count)
        output = Output(layout: op.outputLayout, inputFields: source.fields, sink: sink, late: late)
        op.open(OperatorContext(clock: clock))
    }

    /// The input slot of a field, for `push(row:)`.
    public func slot(of field: String) -> Int? { fields.firstIndex(of: field) }

    /// The allocation-free path: a row whose slots follow `fields`.
    public func push(row: inout Row, partition: Int = 0, kafkaTimestampMs: Int64? = nil) throws {
        let now = clock.nowMs()
        var ts = now
        var wm = Int64.min
        if let extractor {
            ts = try extractor.extract(row, kafkaTimestampMs: kafkaTimestampMs)
            wm = tracker.observe(partition: partition, eventTimeMs: ts, nowMs: now)
        }
        try op.process(row: &row, timestampMs: ts, watermarkMs: wm, partition: partition, output: &output)
    }

    public func push(_ values: [String: FieldValue], partition: Int = 0, kafkaTimestampMs: Int64? = nil) throws {
        row.reset()
        for (i, f) in fields.enumerated() {
            if let v = values[f] { row.cells[i] = v.store(into: &row) }
        }
        try push(row: &row, partition: partition, kafkaTimestampMs: kafkaTimestampMs)
    }

    /// Advances each partition's watermark (from what was pushed to it) and
    /// fires its due windows, as a Kafka task does (docs/windows.md, "Event
    /// time per partition"); processing time to `nowMs` (default: the clock).
    public func advance(nowMs: Int64? = nil) {
        let now = nowMs ?? clock.nowMs()
        tracker.advance(nowMs: now)
        if extractor != nil {
            tracker.forEachPartitionWatermark { p, wm in op.onWatermark(wm, partition: p, output: &output) }
        }
        op.onProcessingTime(nowMs: now, output: &output)
    }

    /// End of input: fire every remaining window.
    public func finish() { op.flush(output: &output) }
}
