import WeirFormats

/// Keyed event-time or processing-time windows with aggregates, following
/// Flink's `WindowOperator` with its default triggers (see docs/windows.md):
///
/// - time is kept per state partition (`KeyedWindowState.time`): a
///   partition's windows fire, and its records are judged late, by that
///   partition's own watermark, never by another partition's;
///
/// - a window `[start, end)` fires when the time (watermark, or processing
///   time) reaches `end − 1` (its max timestamp);
/// - its state is kept until `end − 1 + allowedLateness`; a late record that
///   lands in a kept window fires it again at once (an update of that row);
/// - a record whose windows are all past that cleanup time is late data:
///   counted and handed to `output.late`.
///
/// Per record: one key encoding into a reused buffer, a hash lookup of the key,
/// one per window, the aggregates — no allocation for an existing (key, window).
public final class WindowOperator: Operator, PartitionedKeyedState {
    public let config: WindowOperatorConfig
    public let outputLayout: [(name: String, slot: Int)]
    /// Records handed to `late` (too late for every window), since creation.
    // Hot properties are `@exclusivity(unchecked)`: one task thread owns this object and no
    // access overlaps, while the dynamic checks cost about a third of the per-record time.
    @exclusivity(unchecked) public private(set) var lateRecordCount: Int64 = 0

    private let keys: KeyLayout
    let aggs: Aggregator
    let stateLayout: OperatorStateLayout
    let snapshotKind = StateSnapshot.Kind.windows
    private let lateness: Int64
    @exclusivity(unchecked) var states: [KeyedWindowState?] = []
    /// The time given to every partition at once (`onWatermark(_:output:)`,
    /// processing time): a partition's own time is never below it (it
    /// catches up when the partition is next used).
    @exclusivity(unchecked) public private(set) var currentTime: Int64 = .min
    @exclusivity(unchecked) private var clock: any OperatorClock = SystemClock()
    @exclusivity(unchecked) private var out: Row
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var sessionWindows: [Int32] = []
    /// No timer of any partition is due before this: the watermark moves with
    /// almost every record, and most moves have nothing to fire.
    @exclusivity(unchecked) private var earliestTimer: Int64 = .max
    /// The last tumbling window start computed: most records fall in the
    /// same window as the one before, and the division costs more than the check.
    @exclusivity(unchecked) private var lastStart: Int64 = .max

    public init(_ config: WindowOperatorConfig) throws(WindowConfigError) {
        try config.window.validate()
        guard config.allowedLatenessMs >= 0 && config.allowedLatenessMs <= WindowSpec.maxSizeMs else {
            throw WindowConfigError("allowedLateness must be in 0...2^60 ms")
        }
        self.config = config
        keys = try KeyLayout(config.keyFields, inputSlotCount: config.inputSlotCount)
        aggs = try Aggregator(config.aggregates, inputSlotCount: config.inputSlotCount)
        lateness = config.timeDomain == .eventTime ? config.allowedLatenessMs : 0
        var layout: [(name: String, slot: Int)] = []
        for (i, k) in config.keyFields.enumerated() { layout.append((k.name, i)) }
        layout.append((config.windowStartName, keys.slots.count))
        layout.append((config.windowEndName, keys.slots.count + 1))
        for (i, a) in config.aggregates.enumerated() { layout.append((a.name, keys.slots.count + 2 + i)) }
        var names = Set<String>()
        for l in layout where !names.insert(l.name).inserted {
            throw WindowConfigError("output field \"\(l.name)\" is defined twice")
        }
        outputLayout = layout
        out = Row(slotCount: layout.count, arenaCapacity: 1024)
        keyBuffer.reserveCapacity(256)
        sessionWindows.reserveCapacity(16)
        let merging = config.window.isMerging ? "merging" : "aligned"
        let legacy = OperatorStateLayout.legacyFingerprint("windows|keys=\(config.keyFields.count)|\(merging)|\(aggs.signature)")
        stateLayout = OperatorStateLayout(StateLayout(kind: .windows, keys: config.keyFields.map(\.stateDescription),
                                                      window: config.window, timeDomain: config.timeDomain,
                                                      aggregates: aggs.descriptions),
                                          legacyFingerprint: legacy)
    }

    public func open(_ context: OperatorContext) { clock = context.clock }
    public func close() {}

    // MARK: per record

    public func process<O: OperatorOutput>(row: inout Row, timestampMs: Int64, watermarkMs: Int64, partition: Int,
                                           output: inout O) throws(OperatorError) {
        let st = try state(partition)
        let time = watermarkMs > currentTime ? watermarkMs : currentTime
        if time > st.time { st.time = time }
        let now = st.time
        try aggs.validate(row, st)
        try keys.encode(row, into: &keyBuffer)
        let ts = config.timeDomain == .eventTime ? timestampMs : clock.nowMs()
        guard ts >= -TimestampExtractor.maxAbsMillis && ts <= TimestampExtractor.maxAbsMillis else {
            throw OperatorError("timestamp \(ts) out of range")
        }
        var accepted = false
        switch config.window {
        case .tumbling(let size, let offset):
            var start = lastStart
            if !(ts >= start && ts - start < size) {
                start = TumblingWindows.start(of: ts, size: size, offset: offset)
                lastStart = start
            }
            if cleanupTime(start + size) > now {
                let key = internKey(st)
                assign(st, key, start, start + size, row, ts, partition, &output)
                accepted = true
            }
        case .sliding(let size, let slide, let offset):
            var start = SlidingWindows.lastStart(ts, slide: slide, offset: offset)
            var key: Int32 = -1
            while start > ts - size {
                if cleanupTime(start + size) > now {
                    if key < 0 { key = internKey(st) }
                    assign(st, key, start, start + size, row, ts, partition, &output)
                    accepted = true
                }
                start -= slide
            }
        case .session(let gap):
            accepted = assignSession(st, internKey(st), ts, gap, row, partition, &output)
        }
        if !accepted {
            lateRecordCount += 1
            output.late(row, timestampMs: ts, partition: partition)
        }
    }

    @inline(__always) private func cleanupTime(_ end: Int64) -> Int64 { end - 1 + lateness }

    @inline(__always) private func internKey(_ st: KeyedWindowState) -> Int32 {
        keyBuffer.withUnsafeBytes { st.internKey($0) }
    }

    @inline(__always)
    private func state(_ partition: Int) throws(OperatorError) -> KeyedWindowState {
        guard partition >= 0 && partition < 1 << 20 else { throw OperatorError("invalid partition \(partition)") }
        if partition < states.count, let st = states[partition] { return st }
        return makeState(partition)
    }

    /// Adds a record to one (aligned) window, firing it at once when it is
    /// already past its max timestamp (a late record within the lateness).
    @inline(__always)
    private func assign<O: OperatorOutput>(_ st: KeyedWindowState, _ key: Int32, _ start: Int64, _ end: Int64,
                                           _ row: Row, _ ts: Int64, _ partition: Int, _ output: inout O) {
        var id = st.findWindow(key, start, end)
        let isNew = id < 0
        if isNew {
            id = st.createWindow(key, start, end)
            aggs.initialize(st, id)
        }
        aggs.add(row, timestampMs: ts, st, id)
        if end - 1 <= st.time {
            emit(st, id, partition, &output)
            if isNew { pushTimer(st, id, at: cleanupTime(end)) }
        } else if isNew {
            pushTimer(st, id, at: end - 1)
        }
    }

    /// Session windows: the record's window `[ts, ts + gap)` merges with every
    /// window of the key it intersects (Flink's MergingWindowSet). Returns false
    /// when the record is late data.
    private func assignSession<O: OperatorOutput>(_ st: KeyedWindowState, _ key: Int32, _ ts: Int64, _ gap: Int64,
                                                  _ row: Row, _ partition: Int, _ output: inout O) -> Bool {
        let newStart = ts, newEnd = ts + gap
        var mergedStart = newStart, mergedEnd = newEnd
        sessionWindows.removeAll(keepingCapacity: true)
        var w = st.keyFirstWindow[Int(key)]
        while w >= 0 {
            let e = st.windows[Int(w)]
            if SessionWindows.intersects(e.start, e.end, newStart, newEnd) {
                // kept sorted by start (a handful at most), so merges fold in time order
                var i = sessionWindows.count
                sessionWindows.append(w)
                while i > 0 && st.windows[Int(sessionWindows[i - 1])].start > e.start {
                    sessionWindows.swapAt(i, i - 1); i -= 1
                }
                if e.start < mergedStart { mergedStart = e.start }
                if e.end > mergedEnd { mergedEnd = e.end }
            }
            w = e.nextOfKey
        }
        if sessionWindows.isEmpty {
            guard cleanupTime(newEnd) > st.time else {
                st.releaseKeyIfUnused(key)
                return false
            }
            assign(st, key, newStart, newEnd, row, ts, partition, &output)
            return true
        }
        let target = sessionWindows[0]
        let t = st.windows[Int(target)]
        if sessionWindows.count == 1 && t.start == mergedStart && t.end == mergedEnd {
            // inside an existing session: its identity (and pending timer) stays
            aggs.add(row, timestampMs: ts, st, target)
            if mergedEnd - 1 <= st.time { emit(st, target, partition, &output) }
            return true
        }
        var i = 1
        while i < sessionWindows.count {
            let other = sessionWindows[i]
            aggs.merge(from: other, into: target, st)
            aggs.free(st, other)
            st.removeWindow(other)
            i += 1
        }
        st.rekeyWindow(target, start: mergedStart, end: mergedEnd)
        aggs.add(row, timestampMs: ts, st, target)
        if mergedEnd - 1 <= st.time {
            emit(st, target, partition, &output)
            pushTimer(st, target, at: cleanupTime(mergedEnd))
        } else {
            pushTimer(st, target, at: mergedEnd - 1)
        }
        return true
    }

    /// Writes a window's result into the output row and emits it.
    @inline(__always)
    private func emit<O: OperatorOutput>(_ st: KeyedWindowState, _ id: Int32, _ partition: Int, _ output: inout O) {
        let w = st.windows[Int(id)]
        out.reset()
        keys.decode(st, w.keyId, into: &out)
        let k = keys.slots.count
        out.cells[k] = .int(w.start)
        out.cells[k + 1] = .int(w.end)
        aggs.write(st, id, into: &out, firstSlot: k + 2)
        output.emit(out, kind: w.fired ? .update : .insert, partition: partition)
        st.setFired(id)
    }

    // MARK: queryable state

    public var keyFieldNames: [String] { config.keyFields.map(\.name) }
    public var stateCounts: (keys: Int, entries: Int) { keyedStateCounts }

    /// Every open window of the key, with its aggregates so far.
    public func queryState(keys candidates: [[UInt8]]) -> [StateEntry] {
        var found: [StateEntry] = []
        for key in candidates {
            forEachEntry(ofKey: key) { st, id, p in
                let w = st.windows[Int(id)]
                var row = Row(slotCount: outputLayout.count, arenaCapacity: 256)
                keys.decode(st, w.keyId, into: &row)
                let k = keys.slots.count
                row.cells[k] = .int(w.start)
                row.cells[k + 1] = .int(w.end)
                aggs.write(st, id, into: &row, firstSlot: k + 2)
                found.append(StateEntry(row: row, layout: outputLayout, partition: p, fired: w.fired))
            }
        }
        return found
    }

    // MARK: time

    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, output: inout O) {
        guard config.timeDomain == .eventTime else { return }
        advanceAll(to: watermarkMs, &output)
    }

    public func onWatermark<O: OperatorOutput>(_ watermarkMs: Int64, partition: Int, output: inout O) {
        guard config.timeDomain == .eventTime, partition >= 0 && partition < states.count,
              let st = states[partition] else { return }
        let time = watermarkMs > currentTime ? watermarkMs : currentTime
        if time > st.time { st.time = time }
        guard let next = st.timers.nextTime, next <= st.time else { return }
        fireTimers(st, partition, &output)
        recomputeEarliestTimer()
    }

    public func restoreWatermark(_ watermarkMs: Int64, partition: Int) {
        guard config.timeDomain == .eventTime, partition >= 0 && partition < states.count,
              let st = states[partition], watermarkMs > st.time else { return }
        st.time = watermarkMs
    }

    public var nextTimerMs: Int64 { earliestTimer }

    public func nextTimerMs(partition: Int) -> Int64 {
        guard partition >= 0 && partition < states.count, let st = states[partition] else { return .max }
        return st.timers.nextTime ?? .max
    }

    public func onProcessingTime<O: OperatorOutput>(nowMs: Int64, output: inout O) {
        guard config.timeDomain == .processingTime else { return }
        advanceAll(to: nowMs, &output)
    }

    public func flush<O: OperatorOutput>(output: inout O) {
        advanceAll(to: .max, &output)
    }

    @inline(__always)
    private func pushTimer(_ st: KeyedWindowState, _ id: Int32, at time: Int64) {
        st.pushTimer(id, at: time)
        if time < earliestTimer { earliestTimer = time }
    }

    /// Every partition's time moves to at least `time` (a partition's own
    /// time catches up with `currentTime` when it is next used); due timers run.
    private func advanceAll<O: OperatorOutput>(to time: Int64, _ output: inout O) {
        guard time >= currentTime else { return }
        currentTime = time
        guard time >= earliestTimer else { return }   // the watermark moves with almost every record; most moves fire nothing
        var fired = false
        for p in states.indices {
            guard let st = states[p] else { continue }
            if let next = st.timers.nextTime, next <= max(st.time, time) {
                fireTimers(st, p, &output)
                fired = true
            }
        }
        if fired { recomputeEarliestTimer() }
    }

    private func recomputeEarliestTimer() {
        earliestTimer = .max
        for st in states { if let t = st?.timers.nextTime, t < earliestTimer { earliestTimer = t } }
    }

    /// Runs every timer of one partition due at its time: fire (once), then
    /// purge at the cleanup time.
    private func fireTimers<O: OperatorOutput>(_ st: KeyedWindowState, _ p: Int, _ output: inout O) {
        if currentTime > st.time { st.time = currentTime }
        let now = st.time
        while let t = st.timers.popDue(now) {
            let i = Int(t.window)
            guard i < st.windows.count else { continue }
            let w = st.windows[i]
            guard w.live, w.generation == t.generation else { continue }   // merged or purged since
            if !w.fired && w.end - 1 <= now { emit(st, t.window, p, &output) }
            let cleanup = cleanupTime(w.end)
            if cleanup <= now {
                aggs.free(st, t.window)
                st.removeWindow(t.window)
            } else {
                pushTimer(st, t.window, at: cleanup)
            }
        }
    }

    // MARK: partitions, snapshots

    /// Live windows of a partition (metrics, tests).
    public func windowCount(partition: Int) -> Int { entryCount(partition: partition) }

    /// A restored window gets its timer back: firing, or cleanup once fired.
    public func captureState(partition: Int) -> StateCapture { captureKeyedState(partition: partition) }
    public func captureWarmUps() -> [() -> Void] { keyedCaptureWarmUps() }

    func restored(_ st: KeyedWindowState, entry id: Int32) {
        let w = st.windows[Int(id)]
        pushTimer(st, id, at: w.fired ? cleanupTime(w.end) : w.end - 1)
    }
}
