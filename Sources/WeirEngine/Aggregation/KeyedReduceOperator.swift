import WeirFormats

/// A keyed running aggregate without windows (`keyBy(...).reduce(...)`, Flink's
/// non-windowed `KeyedStream.reduce`/`aggregate`): every record updates its
/// key's accumulator and emits the new result (`insert` for a key's first
/// record, then `update`). Same aggregate functions and state format as
/// windows; the key's single "window" is `[0, 0)` and never fires or expires.
public final class KeyedReduceOperator: Operator, PartitionedKeyedState {
    public let config: ReduceOperatorConfig
    public let outputLayout: [(name: String, slot: Int)]

    private let keys: KeyLayout
    // Hot properties are `@exclusivity(unchecked)`: one task thread owns this object and no
    // access overlaps, while the dynamic checks cost about a third of the per-record time.
    let aggs: Aggregator
    let stateLayout: OperatorStateLayout
    let snapshotKind = StateSnapshot.Kind.reduce
    @exclusivity(unchecked) var states: [KeyedWindowState?] = []
    @exclusivity(unchecked) private var out: Row
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []

    public init(_ config: ReduceOperatorConfig) throws(WindowConfigError) {
        self.config = config
        keys = try KeyLayout(config.keyFields, inputSlotCount: config.inputSlotCount)
        aggs = try Aggregator(config.aggregates, inputSlotCount: config.inputSlotCount)
        var layout: [(name: String, slot: Int)] = []
        for (i, k) in config.keyFields.enumerated() { layout.append((k.name, i)) }
        for (i, a) in config.aggregates.enumerated() { layout.append((a.name, config.keyFields.count + i)) }
        var names = Set<String>()
        for l in layout where !names.insert(l.name).inserted {
            throw WindowConfigError("output field \"\(l.name)\" is defined twice")
        }
        outputLayout = layout
        out = Row(slotCount: layout.count, arenaCapacity: 1024)
        keyBuffer.reserveCapacity(256)
        stateLayout = OperatorStateLayout(StateLayout(kind: .reduce, keys: config.keyFields.map(\.stateDescription),
                                                      window: nil, timeDomain: nil, aggregates: aggs.descriptions),
                                          legacyFingerprint: OperatorStateLayout.legacyFingerprint("reduce|keys=\(config.keyFields.count)|\(aggs.signature)"))
    }

    public func open(_ context: OperatorContext) {}
    public func close() {}

    public func process<O: OperatorOutput>(row: inout Row, timestampMs: Int64, watermarkMs: Int64, partition: Int,
                                           output: inout O) throws(OperatorError) {
        guard partition >= 0 && partition < 1 << 20 else { throw OperatorError("invalid partition \(partition)") }
        let st: KeyedWindowState
        if partition < states.count, let s = states[partition] { st = s } else { st = makeState(partition) }
        try aggs.validate(row, st)
        try keys.encode(row, into: &keyBuffer)
        let key = keyBuffer.withUnsafeBytes { st.internKey($0) }
        var id = st.findWindow(key, 0, 0)
        if id < 0 {
            id = st.createWindow(key, 0, 0)
            aggs.initialize(st, id)
        }
        aggs.add(row, timestampMs: timestampMs, st, id)
        let w = st.windows[Int(id)]
        out.reset()
        keys.decode(st, w.keyId, into: &out)
        aggs.write(st, id, into: &out, firstSlot: keys.slots.count)
        output.emit(out, kind: w.fired ? .update : .insert, partition: partition)
        st.setFired(id)
    }

    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, output: inout O) {}
    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, partition: Int, output: inout O) {}
    public func restoreWatermark(_ watermarkMs: Int64, partition: Int) {}
    public func nextTimerMs(partition: Int) -> Int64 { .max }
    public func onProcessingTime<O: OperatorOutput>(nowMs: Int64, output: inout O) {}
    public var nextTimerMs: Int64 { .max }   // a running aggregate emits per record, never on time
    /// Running aggregates have nothing pending at end of input (every update was emitted).
    public func flush<O: OperatorOutput>(output: inout O) {}

    public func keyCount(partition: Int) -> Int { entryCount(partition: partition) }

    public var keyFieldNames: [String] { config.keyFields.map(\.name) }
    public var stateCounts: (keys: Int, entries: Int) { keyedStateCounts }

    /// The key's running aggregate.
    public func queryState(keys candidates: [[UInt8]]) -> [StateEntry] {
        var found: [StateEntry] = []
        for key in candidates {
            forEachEntry(ofKey: key) { st, id, p in
                let w = st.windows[Int(id)]
                var row = Row(slotCount: outputLayout.count, arenaCapacity: 256)
                keys.decode(st, w.keyId, into: &row)
                aggs.write(st, id, into: &row, firstSlot: keys.slots.count)
                found.append(StateEntry(row: row, layout: outputLayout, partition: p, fired: w.fired))
            }
        }
        return found
    }

    public func captureState(partition: Int) -> StateCapture { captureKeyedState(partition: partition) }
    public func captureWarmUps() -> [() -> Void] { keyedCaptureWarmUps() }

    func restored(_ state: KeyedWindowState, entry id: Int32) {}
}
