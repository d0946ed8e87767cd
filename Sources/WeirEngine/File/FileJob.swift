import Foundation
import ServiceLifecycle

/// Runs a job whose source is files (JSON lines; `-` is stdin) to the end of
/// its input, without Kafka: for trying pipelines, tests and benchmarks.
///
/// One task on its own thread. Each input file is one partition of the
/// watermark (keyed state is shared: a key may appear in several files);
/// files are read round-robin, one line from each in turn. After every line
/// the watermark advances and due windows fire; a file read to its end stops
/// holding the watermark back (like Flink's finished split), from then on. Nothing depends
/// on the clock, so for event time the output is a function of the input
/// alone (processing-time windows aside). At the end of the input every
/// remaining window fires (`flush`). Output lines go to the sink file, stdout
/// or nowhere (`discard`); dead letters and late records to their files.
public final class FileJob: Service, @unchecked Sendable {
    public struct Summary: Sendable, Equatable {
        /// Input lines handled (blank lines are skipped and not counted).
        public var records = 0
        public var emitted = 0, filtered = 0, deadLettered = 0, late = 0
        /// From opening the files to the last output written.
        public var seconds = 0.0
        /// The job was stopped before the end of its input (windows were not flushed).
        public var stopped = false
        /// A pattern step's counters at the end, and the most partial matches
        /// alive at once (sampled every 65,536 records and at the end of input).
        public var pattern: PatternCounters?
        public var peakPartialMatches = 0
        /// The lines were read and decoded on a second thread (`DecodeAhead`).
        public var decodedAhead = false
    }

    public let spec: JobSpec
    public let metrics = TaskMetrics()
    private let inputs: [String]
    private let stopFlag = StopFlag()
    /// Set when `run` finishes.
    public private(set) var summary: Summary?

    /// Lines longer than this are dead-lettered (the JSON decoder's own limit is lower).
    static let maxLineBytes = 8 << 20

    /// Read and decode on a second thread while the task thread runs the
    /// keyed stage and the output. Only a job with a keyed stage does (the
    /// stateless output re-reads the decoder's own state); the output is the
    /// same either way.
    public let decodeAhead: Bool

    /// `decodeAhead` nil: on a machine with two or more cores.
    public init(spec: JobSpec, decodeAhead: Bool? = nil) throws(FileJobError) {
        guard let files = spec.source.files, !files.isEmpty else {
            throw FileJobError("job \(spec.name) does not read files")
        }
        if case .kafka = spec.sink.kind { throw FileJobError("a file job writes to a file, stdout or discard sink, not Kafka") }
        self.spec = spec
        inputs = files
        self.decodeAhead = spec.stateful != nil && (decodeAhead ?? (ProcessInfo.processInfo.activeProcessorCount >= 2))
    }

    /// Stops after the current line; buffered output is written, windows are not flushed. Thread-safe.
    public func stop() { stopFlag.set() }

    /// Service: runs on a dedicated thread; a graceful shutdown stops the job.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                let thread = Thread { [self] in
                    do { _ = try runBlocking(); c.resume() } catch { c.resume(throwing: error) }
                }
                thread.name = "weir-file-job"
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            stop()
        }
    }

    /// Runs to the end of the input (or `stop()`) on the calling thread.
    public func runBlocking() throws -> Summary {
        let start = monotonicNanos()
        // Inputs first: a missing input must not truncate the outputs.
        var readers: [LineReader] = []
        for path in inputs { readers.append(try LineReader(path: path, maxLineBytes: Self.maxLineBytes)) }
        let output: FileWriter?
        switch spec.sink.kind {
        case .file(let path): output = try FileWriter(path: path)
        case .stdout: output = try FileWriter(path: "-")
        case .discard, .kafka, .files: output = nil
        }
        // A files sink makes its part files visible at the end of the input
        // (one commit); what a killed run left staged is deleted first.
        let files = try spec.sink.files.map { s throws(FileSinkError) -> FilesSinkWriter in
            let w = try FilesSinkWriter(spec: s, job: spec.name, instance: "file", slot: 0)
            try w.cleanup(partition: 0)
            return w
        }
        let deadLetters = try spec.deadLetter?.file.map { try FileWriter(path: $0) }
        let lateData = try spec.stateful?.lateData?.file.map { try FileWriter(path: $0) }
        let timedOut = try spec.stateful?.timedOut?.file.map { try FileWriter(path: $0) }
        let sink = FileChainSink(output: output, deadLetters: deadLetters, lateData: lateData, files: files, timedOut: timedOut,
                                 inputNames: readers.map(\.displayName))
        let chain = try RecordChain(job: spec)
        chain.singleStatePartition = true
        defer { chain.op?.close() }

        // Processing time stays 0 for the watermark: a file partition is never
        // idle by the clock (it has more lines or it has ended), and runs replay exactly.
        let now: Int64 = 0
        for p in readers.indices { chain.addPartition(p, nowMs: now) }
        var summary = Summary()
        // Loop state travels inout, not captured by `step`: captured vars are
        // boxed and every access to them was a dynamic exclusivity check.
        var loop = Loop()
        /// One line of partition `p`; false at the end of its input.
        @inline(__always) func step(_ reader: LineReader, _ p: Int, _ loop: inout Loop, _ summary: inout Summary) throws -> Bool {
            if reader.mayBlock && reader.needsRead { try sink.flush() }   // a pipe may wait: show what is done
            guard let line = try reader.next() else {
                chain.finishPartition(p)
                try chain.advance(nowMs: now, sink: sink)   // the others may move the watermark now
                return false
            }
            if line.bytes.isEmpty { return true }
            sink.setCurrent(line.bytes, input: p, lineNumber: reader.lineNumber)
            if line.tooLong {
                try refuseTooLong(sink, &loop)
            } else {
                try chain.process(value: line.bytes, key: nil, kafkaTimestampMs: nil, partition: p, nowMs: now, sink: sink)
            }
            try chain.advance(nowMs: now, sink: sink)
            counted(chain, sink, &loop, &summary)
            return true
        }
        if decodeAhead {
            summary.decodedAhead = true
            let ahead = DecodeAhead(readers: readers, processor: chain.processor, stop: stopFlag)
            ahead.start()
            defer { ahead.finish() }
            try runDecoded(ahead, chain: chain, sink: sink, loop: &loop, summary: &summary)
        } else if readers.count == 1 {
            let reader = readers[0]
            while !summary.stopped, try step(reader, 0, &loop, &summary) {}
        } else {
            var active = Array(readers.indices)   // round-robin, one line each
            while !active.isEmpty && !summary.stopped {
                var i = 0
                while i < active.count && !summary.stopped {
                    if try step(readers[active[i]], active[i], &loop, &summary) { i += 1 } else { active.remove(at: i) }
                }
            }
        }
        samplePattern(chain, into: &summary)   // before the flush times every partial match out
        if !summary.stopped { try chain.flush(sink: sink) }
        summary.pattern = chain.op?.patternCounters
        publish(chain.takeCounts(), refused: sink.takeRefused(), extraDead: loop.tooLong, into: &summary)
        try sink.flush()
        if let files {
            let id = CheckpointIDs.wallMicros()
            _ = try files.prepareCheckpoint(id)
            try files.commit(id)
        }
        summary.seconds = Double(monotonicNanos() - start) / 1e9
        self.summary = summary
        return summary
    }

    /// The task thread's half of a decode-ahead run: the same calls, in the
    /// same order, as the one-thread loop makes after reading each line.
    private func runDecoded(_ ahead: DecodeAhead, chain: RecordChain, sink: FileChainSink,
                            loop: inout Loop, summary: inout Summary) throws {
        let now: Int64 = 0
        while true {
            let batch = try ahead.next { if ahead.mayBlock { try sink.flush() } }
            var failed = 0
            try batch.withContents { entries, all in
                for k in entries.indices {
                    let e = entries[k]
                    let p = Int(e.partition)
                    switch e.kind {
                    case .endOfInput:
                        chain.finishPartition(p)
                        try chain.advance(nowMs: now, sink: sink)
                        continue
                    case .tooLong:
                        sink.setCurrent(UnsafeRawBufferPointer(rebasing: all[e.start..<e.start + e.count]), input: p, lineNumber: e.lineNumber)
                        try refuseTooLong(sink, &loop)
                    case .record:
                        sink.setCurrent(UnsafeRawBufferPointer(rebasing: all[e.start..<e.start + e.count]), input: p, lineNumber: e.lineNumber)
                        var error: ProcessingError?
                        if e.outcome == .failed { error = batch.errors[failed]; failed += 1 }
                        try chain.process(decoded: e.outcome, row: &batch.rows[k], error: error, partition: p, nowMs: now, sink: sink)
                    }
                    try chain.advance(nowMs: now, sink: sink)
                    counted(chain, sink, &loop, &summary)
                    if summary.stopped { return }
                }
            }
            if let error = batch.readError { throw error }
            if batch.stopped { summary.stopped = true }
            let last = batch.isLast
            ahead.release()
            if last || summary.stopped { return }
        }
    }

    private struct Loop { var sinceReport = 0; var tooLong = 0; var reports = 0 }

    /// A line over `maxLineBytes` (its start is the sink's current line) goes to the dead letters.
    private func refuseTooLong(_ sink: FileChainSink, _ loop: inout Loop) throws {
        try sink.deadLetter(ProcessingError(.decode, "line longer than \(Self.maxLineBytes) bytes"))
        loop.tooLong += 1
    }

    /// After each line: every 4096 lines, publish the counts and look at the stop flag.
    @inline(__always)
    private func counted(_ chain: RecordChain, _ sink: FileChainSink, _ loop: inout Loop, _ summary: inout Summary) {
        loop.sinceReport += 1
        guard loop.sinceReport == 4096 else { return }
        publish(chain.takeCounts(), refused: sink.takeRefused(), extraDead: loop.tooLong, into: &summary)
        loop.tooLong = 0
        loop.sinceReport = 0
        loop.reports += 1
        // counting partial matches walks every key: every 16th report only
        if loop.reports & 15 == 0 { samplePattern(chain, into: &summary) }
        if stopFlag.isSet { summary.stopped = true }
    }

    private func samplePattern(_ chain: RecordChain, into s: inout Summary) {
        guard let op = chain.op, op.patternCounters != nil else { return }
        s.peakPartialMatches = max(s.peakPartialMatches, op.stateCounts.entries)
    }

    private func publish(_ c: RecordChain.Counts, refused: Int = 0, extraDead: Int, into s: inout Summary) {
        var c = c
        c.records += extraDead
        c.deadLettered += extraDead + refused
        c.emitted -= refused   // rows the files sink dead-lettered were counted as emitted
        if c.records > 0, metrics.firstRecordNanos.load(ordering: .relaxed) == 0 {
            metrics.firstRecordNanos.store(monotonicNanos(), ordering: .relaxed)
        }
        metrics.consumed.add(c.records, ordering: .relaxed)
        metrics.add(c)
        s.records += c.records; s.emitted += c.emitted; s.filtered += c.filtered
        s.deadLettered += c.deadLettered; s.late += c.late
    }
}
