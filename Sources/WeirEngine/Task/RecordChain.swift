import WeirFormats

/// The per-record work of a task, independent of where records come from and
/// go to: the stateless program (decode, filter/map, encode) and, when the job
/// has one, the keyed stateful operator with its event-time machinery.
///
/// One per task thread. Synchronous; no allocation per record in steady state.
public final class RecordChain {
    public struct Counts {
        /// Input records fully handled (whatever their outcome).
        public var records = 0
        /// Output records written (stateless results, fired windows, updates).
        public var emitted = 0
        public var filtered = 0, deadLettered = 0, late = 0
        /// The first late record since the last `takeCounts()` (for `LateDataReporter`).
        public var lateSample: LateDataReporter.Sample?
    }

    public let processor: RecordProcessor
    /// Event time of the stateful stage; nil for processing time (or no stage).
    /// Kept apart from the stage, which would be copied (and retained) per record.
    private let extractor: TimestampExtractor?
    /// Only for `resetEventTime()` (a fresh operator after an abort); never read per record.
    private let stage: JobSpec.StatefulStage?
    // Hot properties skip dynamic exclusivity checks: one task thread owns the chain and no access overlaps.
    /// Replaced only by `resetEventTime()` (after an abort).
    @exclusivity(unchecked) public private(set) var op: (any Operator)?
    @exclusivity(unchecked) private var output: EncodingOutput?
    /// Processing time for processing-time windows (wall clock, epoch ms);
    /// the `nowMs` callers pass is for idle detection and may be monotonic.
    private let clock: any OperatorClock
    @exclusivity(unchecked) public private(set) var watermarks: WatermarkTracker
    /// First stage of a repartitioned pipeline: tracks its source partitions'
    /// watermarks for `WatermarkAnnouncement`s (no operator here).
    public let announcesWatermarks: Bool
    /// Second stage: partitions' watermarks come from announcements.
    public let readsUpstreamWatermarks: Bool
    private var upstream = UpstreamWatermarks()
    /// Keep all keyed state in state partition 0 while the watermark is still
    /// tracked per input partition. For one task reading all of a bounded
    /// input (file jobs): a key spread over several files is then one key, so
    /// results do not depend on how the input is split into files.
    @exclusivity(unchecked) public var singleStatePartition = false
    /// Counted since the last `takeCounts()`.
    @exclusivity(unchecked) private var counts = Counts()

    public init(job: JobSpec, clock: any OperatorClock = SystemClock()) throws {
        processor = try RecordProcessor(job: job)
        extractor = job.stateful?.timestamp
        stage = job.stateful
        self.clock = clock
        watermarks = WatermarkTracker(config: job.stateful?.watermark ?? job.watermarkAnnouncements ?? WatermarkConfig(maxOutOfOrdernessMs: 0))
        announcesWatermarks = job.stateful == nil && job.watermarkAnnouncements != nil
        readsUpstreamWatermarks = job.stateful?.timestamp != nil && job.stateful?.watermarksFromUpstream == true
        if let stage = job.stateful {
            let op = try stage.makeOperator()
            op.open(OperatorContext(clock: clock))
            self.op = op
            output = EncodingOutput(encoder: try ResultEncoder(job: job, operator: op), keySlots: stage.keySlots)
        } else {
            op = nil
        }
    }

    public func takeCounts() -> Counts {
        defer { counts = Counts() }
        return counts
    }

    /// Processes one input record. Throws only what the sink throws.
    @inline(__always)
    public func process<S: ChainSink>(value: UnsafeRawBufferPointer?, key: UnsafeRawBufferPointer?,
                                      kafkaTimestampMs: Int64?, partition: Int, nowMs: Int64, sink: S) throws {
        counts.records += 1
        sink.outputPartition(singleStatePartition ? 0 : partition)
        switch processor.process(value) {
        case .filtered:
            counts.filtered += 1
        case .failed:
            try refuse(processor.lastError, sink: sink)
        case .emit:
            if let op, let output {
                try processor.withRow { row in
                    try runOperator(op, output: output, row: &row, kafkaTimestampMs: kafkaTimestampMs,
                                    partition: partition, nowMs: nowMs, sink: sink)
                }
            } else if sink.takesRows {
                // The files sink reads the row's cells; JSON lines also get the encoding.
                var encoded: UnsafeRawBufferPointer?
                if sink.wantsEncodedRows {
                    encoded = processor.withOutput(input: value ?? UnsafeRawBufferPointer(start: nil, count: 0), inputKey: nil) { _, v in v }
                    if encoded == nil {
                        try sink.deadLetter(processor.lastError)
                        counts.deadLettered += 1
                        return
                    }
                }
                try processor.withRow { row in try sink.emit(row: row, encoded: encoded) }
                counts.emitted += 1
            } else {
                let produced: Void? = try processor.withOutput(
                    input: value ?? UnsafeRawBufferPointer(start: nil, count: 0), inputKey: key
                ) { k, v in try sink.emit(key: k, value: v) }
                if produced == nil {
                    try sink.deadLetter(processor.lastError)
                    counts.deadLettered += 1
                } else {
                    counts.emitted += 1
                    if announcesWatermarks, let ts = processor.eventTimeMs ?? kafkaTimestampMs {
                        watermarks.observe(partition: partition, eventTimeMs: ts, nowMs: nowMs)
                    }
                }
            }
        }
    }

    /// A record that failed: dead-lettered. The registry being unreachable is
    /// not the record's fault: that fails the task (its transaction aborts,
    /// nothing is lost) instead.
    private func refuse<S: ChainSink>(_ error: ProcessingError, sink: S) throws {
        if error.kind == .unavailable { throw error }
        try sink.deadLetter(error)
        counts.deadLettered += 1
    }

    /// A record decoded elsewhere (a file job's reader thread, `DecodeAhead`):
    /// what `process(value:…)` does after `processor.process`, on `row` and
    /// the outcome the reader's processor gave it. Only for a chain with a
    /// keyed stage (stateless output needs the decoder's own state).
    @inline(__always)
    public func process<S: ChainSink>(decoded outcome: RecordProcessor.Outcome, row: inout Row, error: ProcessingError?,
                                      partition: Int, nowMs: Int64, sink: S) throws {
        counts.records += 1
        sink.outputPartition(singleStatePartition ? 0 : partition)
        switch outcome {
        case .filtered:
            counts.filtered += 1
        case .failed:
            try refuse(error ?? ProcessingError(.decode, "record failed"), sink: sink)
        case .emit:
            guard let op, let output else { throw ProcessingError(.expression, "internal error: a decoded row for a chain without a keyed stage") }
            try runOperator(op, output: output, row: &row, kafkaTimestampMs: nil, partition: partition, nowMs: nowMs, sink: sink)
        }
    }

    @inline(__always)
    private func runOperator<S: ChainSink>(_ op: any Operator, output: EncodingOutput, row: inout Row,
                                           kafkaTimestampMs: Int64?, partition: Int, nowMs: Int64, sink: S) throws {
        var failure: ProcessingError?
        var out = output.bound(to: sink)
        var ts: Int64 = 0   // processing time: the operator stamps the record itself
        var wm = Int64.min  // the record's partition's watermark (event time, one state partition per input partition)
        apply: do {
            if let extractor {
                do {
                    ts = try extractor.extract(row, kafkaTimestampMs: kafkaTimestampMs)
                } catch {
                    failure = ProcessingError(.timestamp, "\(error)")
                    break apply
                }
                if readsUpstreamWatermarks {
                    watermarks.touch(partition: partition, nowMs: nowMs)
                    wm = watermarks.watermark(partition: partition)
                } else {
                    wm = watermarks.observe(partition: partition, eventTimeMs: ts, nowMs: nowMs)
                }
                if singleStatePartition { wm = .min }   // the task watermark, given per line by `advance`
            }
            do {
                try op.process(row: &row, timestampMs: ts, watermarkMs: wm, partition: singleStatePartition ? 0 : partition, output: &out)
            } catch {
                failure = ProcessingError(.expression, "\(error)")
            }
        }
        if let error = out.error { throw error }
        counts.emitted += out.emitted
        if out.late > 0 {
            if counts.lateSample == nil {
                counts.lateSample = LateDataReporter.Sample(partition: partition, eventTimeMs: ts,
                                                            watermarkMs: wm == .min ? watermarks.watermark : wm)
            }
            counts.late += out.late
        }
        if let failure {
            try sink.deadLetter(failure)
            counts.deadLettered += 1
        }
    }

    /// After a batch (and on idle polls): advance the watermark and fire due
    /// windows; fire processing-time windows.
    ///
    /// Each state partition's windows fire by that partition's own watermark
    /// (its records' event time, or behind a repartition topic what the first
    /// stage announced for it), so results do not depend on which other
    /// partitions the task owns or owned before; with one state partition for
    /// everything (`singleStatePartition`) by the task watermark.
    @inline(__always)
    public func advance<S: ChainSink>(nowMs: Int64, sink: S) throws {
        guard let op, let output else {
            if announcesWatermarks { watermarks.advance(nowMs: nowMs) }
            return
        }
        var out = output.bound(to: sink)
        if extractor != nil {
            let before = watermarks.watermark
            let wm = watermarks.advance(nowMs: nowMs)
            if singleStatePartition {
                sink.outputPartition(0)
                if wm > before { op.onWatermark(wm, output: &out) }
            } else {
                watermarks.forEachPartitionWatermark { p, pwm in
                    sink.outputPartition(p)
                    op.onWatermark(pwm, partition: p, output: &out)
                }
            }
        } else {
            sink.outputPartition(singleStatePartition ? 0 : -1)
            op.onProcessingTime(nowMs: clock.nowMs(), output: &out)
        }
        if let error = out.error { throw error }
        counts.emitted += out.emitted
    }

    /// Whether `advance(nowMs:)` would fire something now, with no new record:
    /// the watermark (moved by idleness) or processing time has reached a timer.
    public func hasDueTimers(nowMs: Int64) -> Bool {
        // A first stage has no timers, but a source partition going idle must be announced.
        guard let op else { return announcesWatermarks && watermarks.idleTransitionDue(nowMs: nowMs) }
        let next = op.nextTimerMs
        guard next != .max else { return false }
        guard extractor != nil else { return clock.nowMs() >= next }
        if singleStatePartition { return watermarks.peek(nowMs: nowMs) >= next }
        var due = false
        watermarks.forEachPartitionWatermark { p, pwm in
            if !due && pwm >= op.nextTimerMs(partition: p) { due = true }
        }
        return due
    }

    /// A watermark announcement read from repartition partition `partition`
    /// (second stage). Returns false for bytes that are not one.
    public func observeAnnouncement(partition: Int, bytes: UnsafeRawBufferPointer, nowMs: Int64) -> Bool {
        guard let a = WatermarkAnnouncement(decoding: bytes) else { return false }
        if let wm = upstream.apply(a, partition: partition) {
            // maxOutOfOrderness is 0 here: the announced watermark is the partition's.
            watermarks.observe(partition: partition, eventTimeMs: wm, nowMs: nowMs)
        } else {
            watermarks.touch(partition: partition, nowMs: nowMs)
        }
        return true
    }

    /// End of input: fire every remaining window.
    public func flush<S: ChainSink>(sink: S) throws {
        guard let op, let output else { return }
        var out = output.bound(to: sink)
        // Event-time windows fire partition by partition first, so a files sink
        // knows whose rows they are; `flush` then has only what is left.
        if sink.splitsByPartition && extractor != nil && !singleStatePartition {
            for p in op.partitions.sorted() {
                sink.outputPartition(p)
                op.onWatermark(.max, partition: p, output: &out)
            }
        }
        sink.outputPartition(singleStatePartition ? 0 : -1)
        op.flush(output: &out)
        if let error = out.error { throw error }
        counts.emitted += out.emitted
    }

    /// After an abort: forgets every partition's state and event time, and the
    /// operator's time with them (a fresh operator), as a restarted task starts.
    /// The caller restores each partition's committed state and adds it back
    /// with its checkpointed max event time. Without this, the watermark (which
    /// only moves forward) stayed where the aborted records had taken it, and
    /// the records read again were dropped as late.
    public func resetEventTime() throws {
        watermarks = WatermarkTracker(config: watermarks.config)
        upstream = UpstreamWatermarks()
        guard let stage else { return }
        op?.close()
        op = nil
        let fresh = try stage.makeOperator()
        fresh.open(OperatorContext(clock: clock))
        op = fresh
    }

    /// A partition arrived (assignment): it takes part in the watermark, and
    /// its restored state (restore it first) gets back the event time its
    /// checkpoint recorded, so its windows fire and its records are judged late
    /// exactly as under its previous owner.
    public func addPartition(_ p: Int, nowMs: Int64, restoredMaxEventTime: Int64? = nil) {
        watermarks.addPartition(p, nowMs: nowMs, restoredMaxEventTime: restoredMaxEventTime)
        if extractor != nil && !singleStatePartition { op?.restoreWatermark(watermarks.watermark(partition: p), partition: p) }
    }

    /// A partition's input has ended (a file source read to its end): it no
    /// longer holds the watermark back; its keyed state stays.
    public func finishPartition(_ p: Int) {
        watermarks.finishPartition(p)
    }

    /// A partition's event time moves on without a record, as if one stamped
    /// `eventTimeMs` had arrived (test drivers' `advanceWatermark`; it never
    /// moves back). Windows fire at the next `advance`.
    public func observeEventTime(partition p: Int, eventTimeMs: Int64, nowMs: Int64) {
        watermarks.observe(partition: p, eventTimeMs: eventTimeMs, nowMs: nowMs)
    }

    /// A partition goes idle now, as it does after `idleTimeout` without
    /// records (test drivers); its next record makes it active again.
    public func markIdle(_ p: Int) {
        watermarks.finishPartition(p)
    }

    /// A partition left (revoked/lost): forget its state and watermark.
    public func removePartition(_ p: Int) {
        watermarks.removePartition(p)
        upstream.remove(partition: p)
        op?.dropPartition(p)
    }
}
