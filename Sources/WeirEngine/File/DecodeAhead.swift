import Foundation
import WeirFormats

/// A file job's reader thread: reads the inputs' lines round-robin (one from
/// each in turn, exactly as the one-thread loop does), decodes and filters
/// them with the job's processor, and hands them to the task thread in
/// `DecodedBatch`es through a ring of `depth` batches. The task thread is left
/// the keyed stage and the output, so on two cores decoding and aggregating
/// overlap. The task sees the same records in the same order as the one-thread
/// loop: the output does not depend on which ran.
///
/// Hand-over is per batch (two semaphores around a ring): the per-record path
/// takes no lock and allocates nothing.
final class DecodeAhead: @unchecked Sendable {
    private let readers: [LineReader]
    private let processor: RecordProcessor
    private let batches: [DecodedBatch]
    /// Batches the reader may fill / the task may take.
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let readerDone = DispatchSemaphore(value: 0)
    private let cancelled = StopFlag()
    private let stop: StopFlag
    /// Some input is a pipe or terminal, whose reads may wait for a writer.
    let mayBlock: Bool
    /// The task's next batch (task thread only).
    private var taskSlot = 0
    private var started = false

    /// `processor` is used by the reader thread alone from `start()` on.
    init(readers: [LineReader], processor: RecordProcessor, stop: StopFlag, batchLines: Int = 512, depth: Int = 4) {
        self.readers = readers
        self.processor = processor
        self.stop = stop
        mayBlock = readers.contains(where: \.mayBlock)
        // The processor's own row starts with a 4 KiB arena; these grow to what records need.
        batches = (0..<max(2, depth)).map { _ in
            DecodedBatch(capacity: max(1, batchLines)) { processor.makeRow(arenaCapacity: 64) }
        }
        // Made at 0 and signalled up: libdispatch traps when a semaphore is freed
        // below its initial value, as it may be after a failure mid-run.
        free = DispatchSemaphore(value: 0)
        for _ in batches { free.signal() }
    }

    func start() {
        started = true
        let thread = Thread { [self] in
            produce()
            readerDone.signal()
        }
        thread.name = "weir-file-read"
        thread.start()
    }

    /// The next batch, in input order. When none is ready, `beforeWaiting`
    /// runs first (output is flushed before a pipe's reader may wait).
    func next(beforeWaiting: () throws -> Void) rethrows -> DecodedBatch {
        if filled.wait(timeout: .now()) == .timedOut {
            try beforeWaiting()
            filled.wait()
        }
        return batches[taskSlot]
    }

    /// Gives the batch `next` returned back to the reader.
    func release() {
        taskSlot = (taskSlot + 1) % batches.count
        free.signal()
    }

    /// Ends the reader thread (after the last batch, or when the task failed
    /// or stopped) and, unless the reader may be blocked on a pipe, waits for it.
    func finish() {
        guard started else { return }
        started = false
        cancelled.set()
        free.signal()
        if !mayBlock { readerDone.wait() }
    }

    private func produce() {
        var active = Array(readers.indices)
        var next = 0
        var slot = 0
        while true {
            free.wait()
            if cancelled.isSet { return }
            let batch = batches[slot]
            slot = (slot + 1) % batches.count
            batch.reset()
            fill(batch, active: &active, next: &next)
            filled.signal()
            if batch.isLast { return }
        }
    }

    /// Reads into `batch` until it is full, every input has ended, reading
    /// failed, or a pipe would wait (what is read is handed over first).
    private func fill(_ batch: DecodedBatch, active: inout [Int], next i: inout Int) {
        if stop.isSet {
            batch.stopped = true
            batch.isLast = true
            return
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        while !batch.isFull {
            if active.isEmpty {
                batch.isLast = true
                return
            }
            if i >= active.count { i = 0 }
            let p = active[i]
            let reader = readers[p]
            if reader.mayBlock && !batch.entries.isEmpty && reader.needsRead { return }
            let line: LineReader.Line?
            do { line = try reader.next() } catch {
                batch.readError = error
                batch.isLast = true
                return
            }
            guard let line else {
                _ = batch.append(.endOfInput, partition: p, lineNumber: reader.lineNumber, line: empty)
                active.remove(at: i)   // the next input moves into place: `i` stays
                continue
            }
            i += 1
            if line.bytes.isEmpty { continue }
            if line.tooLong {
                _ = batch.append(.tooLong, partition: p, lineNumber: reader.lineNumber, line: line.bytes)
                continue
            }
            let outcome = processor.process(line.bytes)
            let k = batch.append(.record, outcome: outcome, partition: p, lineNumber: reader.lineNumber, line: line.bytes)
            switch outcome {
            case .emit: processor.exchangeRow(&batch.rows[k])
            case .failed: batch.appendError(processor.lastError)
            case .filtered: break
            }
        }
    }
}
