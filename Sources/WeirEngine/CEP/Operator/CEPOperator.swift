import WeirFormats

/// Keyed pattern detection, as Flink's `CepOperator`:
///
/// - event time: a record is late when its timestamp is behind its partition's
///   watermark so far (counted, handed to `output.late`); otherwise it waits
///   in its key's buffer. When the watermark passes buffered records, each
///   key runs them in timestamp order (ties in arrival order): for every
///   distinct timestamp, time advances to it (timing out partial matches),
///   then its records go through the NFA; finally time advances to the
///   watermark. A key's timer also fires when its earliest partial match
///   times out, so timeouts and `notFollowedBy` alerts need no new record.
/// - processing time: each record runs at once, stamped with the clock.
///
/// Output: one row per match — the key fields, then the measures (and the
/// timed-out flag when configured). Per record, buffering copies the record's
/// values once (`CEPEvent`), into the storage of an event the NFA let go of
/// (`eventPool`); the NFA's slabs, versions and match storage are reused too,
/// so steady state allocates nothing per record.
public final class CEPOperator: Operator {
    public let config: CEPOperatorConfig
    public let outputLayout: [(name: String, slot: Int)]
    public let nfa: NFA<CEPEvent>

    /// Records handed to `late` (behind the watermark), since creation.
    @exclusivity(unchecked) public private(set) var lateRecordCount: Int64 = 0
    /// Partial matches dropped by `maxPartialMatchesPerKey`, since creation.
    @exclusivity(unchecked) public private(set) var droppedPartialMatchCount: Int64 = 0
    @exclusivity(unchecked) public private(set) var matchCount: Int64 = 0
    @exclusivity(unchecked) public private(set) var timedOutCount: Int64 = 0

    private let keys: KeyLayout
    // Touched only on the task's thread, never overlapping: the dynamic
    // exclusivity checks they would get as class properties were ~6% of a run.
    @exclusivity(unchecked) private var states: [CEPPartitionState?] = []
    private var clock: any OperatorClock = SystemClock()
    @exclusivity(unchecked) private var currentTime: Int64 = .min
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var out: Row
    @exclusivity(unchecked) private var matches: [Match<CEPEvent>] = []
    @exclusivity(unchecked) private var timedOut: [TimedOutMatch<CEPEvent>] = []
    /// States of forgotten keys, reset, for the next new key (else each new key
    /// allocates a key state, an NFA state and their arrays).
    @exclusivity(unchecked) private var keyStatePool: [CEPKeyState] = []
    static let keyStatePoolLimit = 4096
    /// A key that holds nothing stays indexed, idle, until more than this many
    /// are idle over all partitions; then the oldest idle key of the partition
    /// at hand is forgotten (into the pool). Most keys go idle between their
    /// records (a partial match ends with the next event that breaks it).
    @exclusivity(unchecked) private(set) var idleKeyCount = 0
    static let idleKeyLimit = 16_384
    /// Events the key states' shared buffers let go of: their values arrays
    /// take the next records' values (one array per record otherwise).
    @exclusivity(unchecked) private var eventPool: [CEPEvent] = []
    static let eventPoolLimit = 4096
    private let names: CEPFieldNames?
    private let measureSlot: Int
    private let timedOutSlot: Int?

    public init(_ config: CEPOperatorConfig) throws(WindowConfigError) {
        self.config = config
        names = config.inputFieldNames.map(CEPFieldNames.init)
        keys = try KeyLayout(config.keyFields, inputSlotCount: config.inputSlotCount)
        do { nfa = try NFA(config.pattern) } catch { throw WindowConfigError("pattern: \(error)") }
        guard config.maxPartialMatchesPerKey > 0 else { throw WindowConfigError("maxPartialMatchesPerKey must be positive") }
        let stageNames = Set(config.pattern.stages.map(\.name))
        var layout: [(name: String, slot: Int)] = []
        for (i, k) in config.keyFields.enumerated() { layout.append((k.name, i)) }
        measureSlot = layout.count
        for m in config.measures {
            if let s = m.stage, !stageNames.contains(s) { throw WindowConfigError("measure \"\(m.name)\" names stage \"\(s)\", which the pattern does not have") }
            layout.append((m.name, layout.count))
        }
        if let t = config.timedOutField {
            timedOutSlot = layout.count
            layout.append((t, layout.count))
        } else {
            timedOutSlot = nil
        }
        var names = Set<String>()
        for l in layout where !names.insert(l.name).inserted {
            throw WindowConfigError("output field \"\(l.name)\" is defined twice")
        }
        outputLayout = layout
        out = Row(slotCount: layout.count, arenaCapacity: 1024)
        keyBuffer.reserveCapacity(256)
    }

    public func open(_ context: OperatorContext) { clock = context.clock }
    public func close() {}

    // MARK: per record

    public func process<O: OperatorOutput>(row: inout Row, timestampMs: Int64, watermarkMs: Int64, partition: Int,
                                           output: inout O) throws(OperatorError) {
        guard partition >= 0 && partition < 1 << 20 else { throw OperatorError("invalid partition \(partition)") }
        try keys.encode(row, into: &keyBuffer)
        let st = partitionState(partition)
        if config.timeDomain == .processingTime {
            let now = clock.nowMs()
            if now > st.time { st.time = now }
            let slot = keySlot(st)
            guard let ks = st.keys[Int(slot)] else { return }
            wake(st, slot, ks)
            let event = makeEvent(row)
            let ts = st.time
            nfa.advanceTime(ts, state: ks.nfa, matches: &matches, timedOut: &timedOut)
            nfa.process(event, timestamp: ts, state: ks.nfa, matches: &matches)
            finishKey(st, slot, ks, partition, &output)
            return
        }
        guard timestampMs >= -TimestampExtractor.maxAbsMillis && timestampMs <= TimestampExtractor.maxAbsMillis else {
            throw OperatorError("timestamp \(timestampMs) out of range")
        }
        // late: behind the watermark seen before this record. Flink calls `timestamp <= watermark`
        // late against periodic watermarks; Weir's move with every record (max − out-of-orderness),
        // so a record at the watermark itself is a tie with the newest record and runs after it,
        // as arrival order puts it.
        let before = max(st.time, currentTime)
        if timestampMs < before {
            lateRecordCount += 1
            output.late(row, timestampMs: timestampMs, partition: partition)
            return
        }
        let slot = keySlot(st)
        guard let ks = st.keys[Int(slot)] else { return }
        wake(st, slot, ks)
        ks.buffer(makeEvent(row), at: timestampMs)
        schedule(st, slot, ks)
        // the record's own watermark takes effect with the next onWatermark
        if watermarkMs > st.time { st.time = watermarkMs }
    }

    private func makeEvent(_ row: Row) -> CEPEvent {
        guard var e = eventPool.popLast() else { return CEPEvent(row: row, slotCount: config.inputSlotCount, names: names) }
        e.refill(row: row, slotCount: config.inputSlotCount)
        return e
    }

    /// Moves the events the key states' buffers let go of into the pool (the
    /// NFA's buffer scratch collects them, for every key).
    private func reclaimEvents() {
        let scratch = nfa.bufferScratch
        guard !scratch.freedEvents.isEmpty else { return }
        for e in scratch.freedEvents where eventPool.count < Self.eventPoolLimit { eventPool.append(e) }
        scratch.freedEvents.removeAll(keepingCapacity: true)
    }

    private func partitionState(_ p: Int) -> CEPPartitionState {
        if p >= states.count { states.append(contentsOf: repeatElement(nil, count: p + 1 - states.count)) }
        if let st = states[p] { return st }
        let st = CEPPartitionState()
        states[p] = st
        return st
    }

    private func keySlot(_ st: CEPPartitionState) -> Int32 {
        st.slot(for: keyBuffer) {
            guard let ks = keyStatePool.popLast() else { return CEPKeyState(key: keyBuffer, nfa: nfa.makeState()) }
            ks.key.removeAll(keepingCapacity: true)   // no longer in any index: unique, no copy
            ks.key.append(contentsOf: keyBuffer)
            return ks
        }
    }

    @inline(__always) private func wake(_ st: CEPPartitionState, _ slot: Int32, _ ks: CEPKeyState) {
        guard ks.idle else { return }
        st.wake(slot)
        idleKeyCount -= 1
    }

    private func schedule(_ st: CEPPartitionState, _ slot: Int32, _ ks: CEPKeyState) {
        let due = ks.due()
        if due < ks.scheduled {
            ks.scheduled = due
            st.timers.push(due, slot)
        }
    }

    // MARK: time

    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, partition: Int, output: inout O) {
        guard config.timeDomain == .eventTime, partition >= 0 && partition < states.count, let st = states[partition] else { return }
        let t = max(watermarkMs, currentTime)
        if t > st.time { st.time = t }
        fire(st, partition, &output)
    }

    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, output: inout O) {
        guard config.timeDomain == .eventTime else { return }
        advanceAll(watermarkMs, &output)
    }

    public func restoreWatermark(_ watermarkMs: Int64, partition: Int) {
        guard config.timeDomain == .eventTime, partition >= 0 && partition < states.count, let st = states[partition],
              watermarkMs > st.time else { return }
        st.time = watermarkMs
    }

    public func onProcessingTime<O: OperatorOutput>(nowMs: Int64, output: inout O) {
        guard config.timeDomain == .processingTime else { return }
        advanceAll(nowMs, &output)
    }

    public func flush<O: OperatorOutput>(output: inout O) {
        // end of input: Flink's final watermark (Long.MAX_VALUE) runs every buffered record and times out the rest
        advanceAll(.max, &output)
    }

    public var nextTimerMs: Int64 {
        var t = Int64.max
        for st in states { if let n = st?.timers.nextTime, n < t { t = n } }
        return t
    }

    public func nextTimerMs(partition: Int) -> Int64 {
        guard partition >= 0 && partition < states.count, let st = states[partition] else { return .max }
        return st.timers.nextTime ?? .max
    }

    private func advanceAll<O: OperatorOutput>(_ time: Int64, _ output: inout O) {
        if time > currentTime { currentTime = time }
        for p in states.indices {
            guard let st = states[p] else { continue }
            if currentTime > st.time { st.time = currentTime }
            fire(st, p, &output)
        }
    }

    /// Runs every key whose timer is due at the partition's time.
    private func fire<O: OperatorOutput>(_ st: CEPPartitionState, _ partition: Int, _ output: inout O) {
        let now = st.time
        while let t = st.timers.popDue(now) {
            guard Int(t.key) < st.keys.count, let ks = st.keys[Int(t.key)], ks.scheduled == t.time else { continue }   // stale entry
            ks.scheduled = .max
            if config.timeDomain == .eventTime {
                var i = 0
                while i < ks.pending.count && ks.pending[i].ts <= now {
                    let ts = ks.pending[i].ts
                    nfa.advanceTime(ts, state: ks.nfa, matches: &matches, timedOut: &timedOut)
                    while i < ks.pending.count && ks.pending[i].ts == ts {
                        nfa.process(ks.pending[i].event, timestamp: ts, state: ks.nfa, matches: &matches)
                        enforceCap(ks)
                        i += 1
                    }
                    emitCollected(ks, partition, &output)
                }
                if i > 0 { ks.pending.removeFirst(i) }
            }
            nfa.advanceTime(now, state: ks.nfa, matches: &matches, timedOut: &timedOut)
            finishKey(st, t.key, ks, partition, &output)
        }
    }

    /// Emits what the key produced, applies the cap, re-arms or forgets the key.
    private func finishKey<O: OperatorOutput>(_ st: CEPPartitionState, _ slot: Int32, _ ks: CEPKeyState,
                                             _ partition: Int, _ output: inout O) {
        emitCollected(ks, partition, &output)
        enforceCap(ks)
        reclaimEvents()
        if ks.pending.isEmpty && ks.nfa.isIdle {
            nfa.reset(ks.nfa)
            ks.refreshTimeout(windowMs: 0)   // none
            ks.scheduled = .max
            if !ks.idle {
                st.markIdle(slot)
                idleKeyCount += 1
            }
            if idleKeyCount > Self.idleKeyLimit, let gone = st.removeOldestIdle() {
                idleKeyCount -= 1
                if keyStatePool.count < Self.keyStatePoolLimit { keyStatePool.append(gone) }
            }
        } else {
            ks.refreshTimeout(windowMs: nfa.windowMs)
            schedule(st, slot, ks)
        }
    }

    /// The per-key cap, after every record: the earliest-started partial matches go first.
    @inline(__always) private func enforceCap(_ ks: CEPKeyState) {
        droppedPartialMatchCount += Int64(nfa.dropOldestPartialMatches(ks.nfa, keeping: config.maxPartialMatchesPerKey))
    }

    private func emitCollected<O: OperatorOutput>(_ ks: CEPKeyState, _ partition: Int, _ output: inout O) {
        for m in matches { emitRow(ks, m, timedOut: false, partition, &output) }
        matchCount += Int64(matches.count)
        nfa.recycle(&matches)
        timedOutCount += Int64(timedOut.count)
        if timedOutSlot != nil || config.routesTimedOut {
            for t in timedOut { emitRow(ks, t.match, timedOut: true, partition, &output) }
        }
        nfa.recycle(&timedOut)
    }

    private func emitRow<O: OperatorOutput>(_ ks: CEPKeyState, _ m: Match<CEPEvent>, timedOut: Bool, _ partition: Int,
                                            _ output: inout O) {
        out.reset()
        ks.key.withUnsafeBytes { bytes in
            var p = 0
            for i in 0..<keys.slots.count { out.cells[i] = KeyEncoding.decode(bytes, at: &p, into: &out) ?? .null }
        }
        for (i, measure) in config.measures.enumerated() {
            out.cells[measureSlot + i] = measure.value(m).store(into: &out)
        }
        if let t = timedOutSlot { out.cells[t] = .bool(timedOut) }
        if timedOut && config.routesTimedOut {
            output.timedOut(out, partition: partition)
        } else {
            output.emit(out, kind: .insert, partition: partition)
        }
    }

    // MARK: state

    public var partitions: [Int] { states.indices.filter { states[$0] != nil } }

    public func dropPartition(_ partition: Int) {
        guard partition >= 0 && partition < states.count else { return }
        idleKeyCount -= states[partition]?.idleCount ?? 0
        states[partition] = nil
    }

    public var keyFieldNames: [String] { config.keyFields.map(\.name) }

    /// Keys with state, and partial matches alive (entries), over every partition.
    public var stateCounts: (keys: Int, entries: Int) {
        var k = 0, e = 0
        for st in states {
            guard let st else { continue }
            k += st.keyCount
            for ks in st.keys { if let ks { e += ks.nfa.partialMatchCount } }
        }
        return (k, e)
    }

    public var patternCounters: PatternCounters? {
        PatternCounters(matches: Int(matchCount), timedOut: Int(timedOutCount),
                        droppedPartialMatches: Int(droppedPartialMatchCount), lateRecords: Int(lateRecordCount))
    }

    /// Records buffered for the watermark, over every partition (tests, metrics).
    public var bufferedRecordCount: Int {
        states.reduce(0) { acc, st in acc + (st?.keys.reduce(0) { $0 + ($1?.pending.count ?? 0) } ?? 0) }
    }

    static let magic: [UInt8] = Array("WCEP".utf8)
    static let formatVersion: UInt8 = 1

    /// The layout a snapshot must match: keys, stages and automaton shape.
    var layoutSignature: String {
        "keys=\(config.keyFields.map { $0.source ?? $0.name })|stages=\(nfa.stageNames)|time=\(config.timeDomain)|\(nfa.signature)"
    }

    public func snapshot(partition: Int) -> [UInt8] {
        var w = BinaryWriter(capacity: 1024)
        w.raw(Self.magic)
        w.u8(Self.formatVersion)
        let sig = Array(layoutSignature.utf8)
        w.u32(UInt32(sig.count))
        w.raw(sig)
        guard partition >= 0 && partition < states.count, let st = states[partition] else {
            w.i64(.min); w.u32(0)
            return w.bytes
        }
        w.i64(st.time)
        let live = st.keys.compactMap { $0 }.filter { !$0.idle }   // idle keys hold nothing: as if forgotten
        w.u32(UInt32(live.count))
        for ks in live {
            w.u32(UInt32(ks.key.count))
            w.raw(ks.key)
            w.u32(UInt32(ks.pending.count))
            for p in ks.pending { w.i64(p.ts); p.event.write(into: &w) }
            NFAStateCodec.write(ks.nfa, into: &w) { e, w in e.write(into: &w) }
        }
        return w.bytes
    }

    public func restore(partition: Int, chunks: [[UInt8]]) throws(StateFormatError) {
        guard partition >= 0 && partition < 1 << 20 else { throw StateFormatError("invalid partition \(partition)") }
        let bytes = chunks.count == 1 ? chunks[0] : chunks.flatMap { $0 }
        let st = CEPPartitionState()
        do {
            var r = BinaryReader(bytes)
            for b in Self.magic { guard try r.u8() == b else { throw StateFormatError("not a CEP operator's state") } }
            guard try r.u8() == Self.formatVersion else { throw StateFormatError("unknown CEP state format version") }
            let n = Int(try r.u32())
            guard n <= r.remaining else { throw StateFormatError("truncated CEP state") }
            var sig: [UInt8] = []
            for _ in 0..<n { sig.append(try r.u8()) }
            let saved = String(decoding: sig, as: UTF8.self)
            guard saved == layoutSignature else {
                throw StateFormatError("the saved state is of another pattern: \(CEPLayoutChange.describe(saved: saved, current: layoutSignature))")
            }
            st.time = try r.i64()
            let keyCount = Int(try r.u32())
            guard keyCount <= r.remaining else { throw StateFormatError("truncated CEP state") }
            for _ in 0..<keyCount {
                let kn = Int(try r.u32())
                guard kn <= r.remaining else { throw StateFormatError("truncated CEP state") }
                var key: [UInt8] = []
                for _ in 0..<kn { key.append(try r.u8()) }
                let ks = CEPKeyState(key: key, nfa: nfa.makeState())
                let pn = Int(try r.u32())
                guard pn <= r.remaining else { throw StateFormatError("truncated CEP state") }
                for _ in 0..<pn {
                    let ts = try r.i64()
                    ks.pending.append((ts, try CEPEvent.read(&r, names: names)))
                }
                try NFAStateCodec.read(&r, into: ks.nfa, stateCount: nfa.graph.states.count,
                                       stageCount: nfa.stageNames.count) { r in try CEPEvent.read(&r, names: names) }
                let slot = st.slot(for: key) { ks }
                ks.refreshTimeout(windowMs: nfa.windowMs)
                schedule(st, slot, ks)
            }
        } catch let e as StateFormatError {
            throw e
        } catch let e as NFAStateCodec.Invalid {
            throw StateFormatError("invalid CEP state: \(e.reason)")
        } catch {
            throw StateFormatError("truncated CEP state")
        }
        if partition >= states.count { states.append(contentsOf: repeatElement(nil, count: partition + 1 - states.count)) }
        idleKeyCount -= states[partition]?.idleCount ?? 0
        states[partition] = st
    }
}
