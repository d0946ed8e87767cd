import Foundation
import Logging
import Synchronization
import WeirFormats
import WeirKafka

/// One task: a consumer, a producer and the record chain, run in a tight
/// synchronous loop on its own thread (DESIGN.md, "The task loop").
///
/// Poll a batch -> decode -> process -> produce; every checkpoint interval the
/// open transaction becomes a checkpoint: each assigned partition's operator
/// state and a marker (checkpoint id, watermark, next offset) go to the
/// `<job>-state` topic, the offsets are sent to the transaction, and it
/// commits (DESIGN.md, "Exactly-once"). With an at-least-once or no-guarantee
/// sink there is no transaction: the sink's `CheckpointCommitter` decides
/// what a checkpoint waits for. No async hop, lock or allocation per record.
public final class StreamTask: @unchecked Sendable {
    public let slot: Int
    public let metrics: TaskMetrics
    private let job: JobSpec
    private let runtime: RuntimeConfig
    private let logger: Logger
    private let stopFlag = StopFlag()
    private let flushFlag = StopFlag()

    private var consumer: KafkaConsumer?
    private var producer: KafkaProducer?
    /// How checkpoints become durable, per the sink's delivery guarantee.
    private var committer: (any CheckpointCommitter)?
    private var chain: RecordChain?
    private var sink: KafkaTaskSink?
    /// A files sink's part files (nil for a Kafka sink).
    private var files: FilesSinkWriter?
    /// Renaming a committed checkpoint's files failed: the task ends with it,
    /// and the restore of its partitions completes the renames.
    private var fileFailure: Error?
    private var stateHandle: KafkaTopicHandle?
    /// First stage of a repartitioned event-time pipeline: announces its watermarks.
    private var announcer: WatermarkAnnouncer?
    private var statePartitions: Int32 = 1
    private var txn: TransactionState
    /// Runs the asynchronous phase of checkpoints (exactly-once: state written
    /// out, markers, commit) while the loop goes on; `inFlight` is the
    /// checkpoint it makes durable once it succeeds.
    private var worker: CommitWorker?
    private var inFlight: CheckpointWrite?
    /// Records were processed while a commit was in flight: the next transaction must cover them.
    private var processedWhileCommitting = false
    /// Whether this transaction's halfway point asked the operator to ready its capture memory.
    private var warmedUp = false
    /// Runs those warm-ups: off the task thread, in order, rarely (a state's first checkpoint).
    private let warmUpQueue = DispatchQueue(label: "weir.capture-warm-up", qos: .utility)
    /// Held output beyond this waits for the commit instead of growing further.
    private static let maxHeldBytes = 64 << 20
    private var ids = CheckpointIDs()

    /// The last committed checkpoint of each assigned partition: where an abort
    /// goes back to, without reading Kafka.
    private struct Committed { var marker: CheckpointMarker; var chunks: [[UInt8]] }
    private var committed: [TopicPartition: Committed] = [:]
    /// Where restored partitions resume, for `CheckpointCommitter.commitRestored`
    /// on the loop's next turn (not inside the rebalance callback).
    private var restoredPositions: [TopicPartitionOffset] = []
    /// What has been processed of each owned partition (not the consumer's position).
    @exclusivity(unchecked) private var read: ReadPositions

    private let savepointRestore: SavepointRestore?
    private let savepointRequest = Mutex<SavepointCollector?>(nil)
    private let stopSavepoint = Mutex<SavepointCollector?>(nil)
    private let checkpointNow = Atomic<Bool>(false)
    private let queryPending = Atomic<Bool>(false)
    private let queries = Mutex<[StateQuery]>([])

    public init(job: JobSpec, runtime: RuntimeConfig, slot: Int, metrics: TaskMetrics = TaskMetrics(),
                savepoint: SavepointRestore? = nil, logger: Logger) {
        self.job = job; self.runtime = runtime; self.slot = slot; self.metrics = metrics; self.logger = logger
        self.savepointRestore = savepoint
        txn = TransactionState(intervalNanos: UInt64(max(1, runtime.checkpointIntervalMs)) * 1_000_000)
        read = ReadPositions(topics: job.source.topics)
    }

    public var transactionalID: String { "\(job.name)-\(runtime.instanceID)-\(slot)" }
    public var stateTopic: String { "\(job.name)-state" }

    /// Asks the loop to finish its batch, checkpoint and close. With `flush`,
    /// the input is treated as ended: every open window fires first (for `weir
    /// dev --generate` and bounded runs). Thread-safe.
    /// With `savepoint`, the last checkpoint is written out to it (stop with
    /// a savepoint: nothing is processed after it).
    public func requestStop(flush: Bool = false, savepoint: SavepointCollector? = nil) {
        if flush { flushFlag.set() }
        if let savepoint { stopSavepoint.withLock { $0 = savepoint } }
        stopFlag.set()
    }

    /// Publishes the partitions' positions, ends and watermarks and the newest
    /// dead letters (four times a second; the only allocation is here).
    private func publishStatus() {
        guard let consumer, let chain else { return }
        let assigned = (try? consumer.assignment()) ?? []
        var list: [PartitionStatus] = []
        list.reserveCapacity(assigned.count)
        for tp in assigned.sorted(by: { ($0.topic, $0.partition) < ($1.topic, $1.partition) }) {
            let index = announcer?.trackerIndex(topic: tp.topic, partition: tp.partition) ?? Int(tp.partition)
            let wm = chain.watermarks.partitionWatermark(index)
            list.append(PartitionStatus(
                topic: tp.topic, partition: tp.partition, position: read.nextOffset(tp), committedOffset: committed[tp]?.marker.nextOffset,
                endOffset: consumer.cachedWatermarkOffsets(topic: tp.topic, partition: tp.partition)?.high,
                lastRecordTimestampMs: read.lastTimestampMs(tp),
                watermarkMs: wm.flatMap { $0.watermark == .min ? nil : $0.watermark }, idle: wm?.idle ?? false))
        }
        metrics.publish(partitions: list)
        if let op = chain.op {
            let counts = op.stateCounts
            metrics.stateKeys.store(counts.keys, ordering: .relaxed)
            metrics.stateEntries.store(counts.entries, ordering: .relaxed)
            if op.patternCounters != nil { metrics.patternPartialMatches.store(counts.entries, ordering: .relaxed) }
        }
        let held = Set(assigned)
        metrics.stateBytes.store(committed.reduce(0) { $0 + (held.contains($1.key) ? $1.value.chunks.reduce(0) { $0 + $1.count } : 0) },
                                 ordering: .relaxed)
        if let sink, !sink.deadLetterSamples.isEmpty {
            metrics.publish(deadLetters: sink.deadLetterSamples)
            sink.deadLetterSamples.removeAll(keepingCapacity: true)
        }
    }

    /// Asks the task about one key's state; it answers between batches. Thread-safe.
    public func requestQuery(_ q: StateQuery) {
        queries.withLock { $0.append(q) }
        queryPending.store(true, ordering: .releasing)
    }

    /// Answers the state queries asked since the last batch (on the task's thread).
    private func answerQueries() {
        let asked = queries.withLock { q -> [StateQuery] in defer { q = [] }; return q }
        for q in asked { q.answer(chain?.op?.queryState(keys: q.keys) ?? []) }
    }

    /// Asks for a checkpoint at the end of the current batch (`POST /jobs/{id}/checkpoints`). Thread-safe.
    public func requestCheckpoint() {
        checkpointNow.store(true, ordering: .releasing)
    }

    /// Asks the task to write its partitions to a savepoint at its next
    /// checkpoint (taken right away). Thread-safe.
    public func requestSavepoint(_ collector: SavepointCollector) {
        savepointRequest.withLock { $0 = collector }
    }

    /// Runs the task until stopped or failed. Blocking: call on a dedicated thread.
    public func run() throws {
        var cc = runtime.kafka
        cc.groupID = job.source.group
        cc.isolationLevel = .readCommitted
        cc.autoOffsetReset = job.source.startFrom == .earliest ? .earliest : .latest
        cc.sessionTimeoutMs = runtime.sessionTimeoutMs
        cc.clientID = "\(transactionalID)-consumer"
        cc.properties["fetch.wait.max.ms"] = cc.properties["fetch.wait.max.ms"] ?? "10"
        let consumer = try KafkaConsumer(config: cc) { [unowned self] event in self.onRebalance(event) }
        self.consumer = consumer

        var pc = runtime.kafka
        job.sink.deliveryGuarantee.configureProducer(&pc, transactionalID: transactionalID,
                                                     transactionTimeoutMs: runtime.transactionTimeoutMs)
        pc.clientID = "\(transactionalID)-producer"
        pc.properties["linger.ms"] = pc.properties["linger.ms"] ?? "5"
        let producer = try KafkaProducer(config: pc)
        self.producer = producer
        let committer = job.sink.deliveryGuarantee.committer(producer: producer, consumer: consumer,
                                                             task: transactionalID, logger: logger)
        self.committer = committer
        let chain = try RecordChain(job: job)
        self.chain = chain
        let files = try job.sink.files.map {
            try FilesSinkWriter(spec: $0, job: job.name, instance: runtime.instanceID, slot: slot)
        }
        self.files = files
        let sink = try KafkaTaskSink(producer: producer, job: job, files: files)
        self.sink = sink
        let worker = CommitWorker(name: "\(transactionalID)-commit")
        self.worker = worker
        defer {
            worker.shutdown()
            self.worker = nil
            consumer.close()
            producer.close()
            self.consumer = nil; self.producer = nil; self.sink = nil; self.committer = nil; self.announcer = nil
            // Pending files may belong to a transaction that did commit: the restore decides.
            files?.discardUncommitted()
            self.files = nil
            chain.op?.close()
        }

        try committer.start()
        stateHandle = try producer.topic(stateTopic)
        statePartitions = try stateTopicPartitions()
        if chain.announcesWatermarks {
            announcer = try WatermarkAnnouncer(producer: producer, sinkTopic: job.sink.topic,
                                               sourceTopics: job.source.topics, kafka: runtime.kafka)
        }
        try consumer.subscribe(job.source.topics)
        metrics.subscribedNanos.store(monotonicNanos(), ordering: .relaxed)

        var lastPublishedMs: Int64 = 0
        while !stopFlag.isSet {
            var consumed = 0
            var bytesIn = 0
            var failure: Error?
            let batchStart = monotonicNanos()
            let nowMs = Int64(truncatingIfNeeded: batchStart / 1_000_000)
            _ = consumer.poll(maxMessages: runtime.batchSize, timeoutMs: 100) { msg in
                if failure != nil { return }
                // Records of partitions revoked while this batch was collected belong to their new owner.
                guard read.accept(topic: msg.topic, partition: msg.partition, offset: msg.offset, timestampMs: msg.timestamp) else { return }
                bytesIn &+= (msg.value?.count ?? 0) &+ (msg.key?.count ?? 0)
                // Behind a repartition topic: the first stage's watermarks (no output, no transaction needed).
                if chain.readsUpstreamWatermarks, (msg.value?.count ?? 0) == 0,
                   let h = msg.header(WatermarkAnnouncement.header),
                   chain.observeAnnouncement(partition: Int(msg.partition), bytes: h, nowMs: nowMs) { return }
                do {
                    // While a commit is in flight the record joins the next transaction (output held).
                    if txn.phase == .idle { try beginTransaction() }
                    consumed += 1
                    sink.current = msg
                    let ts = msg.timestamp
                    let p = announcer?.trackerIndex(topic: msg.topic, partition: msg.partition) ?? Int(msg.partition)
                    try chain.process(value: msg.value, key: msg.key, kafkaTimestampMs: ts >= 0 ? ts : nil,
                                      partition: p, nowMs: nowMs, sink: sink)
                } catch {
                    failure = error
                }
            }
            sink.current = nil
            if !restoredPositions.isEmpty {
                committer.commitRestored(offsets: restoredPositions)
                restoredPositions = []
            }
            // Time alone can fire windows (an idle partition, processing time): they need a transaction too.
            if failure == nil && txn.phase == .idle && chain.hasDueTimers(nowMs: nowMs) {
                do { try beginTransaction() } catch { failure = error }
            }
            if consumed > 0 && txn.phase == .committing { processedWhileCommitting = true }
            if failure == nil && (txn.isOpen || txn.phase == .committing) {
                do { try chain.advance(nowMs: nowMs, sink: sink) } catch { failure = error }
            }
            if failure == nil, let files {
                do { try files.rollAged() } catch { failure = error }
            }
            if consumed > 0 {
                if metrics.firstRecordNanos.load(ordering: .relaxed) == 0 {
                    metrics.firstRecordNanos.store(monotonicNanos(), ordering: .relaxed)
                }
                metrics.consumed.add(consumed, ordering: .relaxed)
                metrics.bytesIn.add(bytesIn, ordering: .relaxed)
            }
            var counts = chain.takeCounts()
            if sink.fileRowsRefused > 0 {   // refused by the files sink: not written
                counts.emitted -= sink.fileRowsRefused
                counts.deadLettered += sink.fileRowsRefused
                sink.fileRowsRefused = 0
            }
            metrics.add(counts)
            if let c = chain.op?.patternCounters { metrics.publish(pattern: c) }
            if counts.late > 0 || lateReporter.isInPeriod { reportLate(counts) }
            if let e = failure { try handle(e as? KafkaError ?? KafkaError.local("\(e)")) }
            let mustWait = sink.held.byteCount > Self.maxHeldBytes
            let waitStart = mustWait ? monotonicNanos() : 0
            try settleCommit(wait: mustWait)
            if mustWait { metrics.backPressuredNanos.add(monotonicNanos() &- waitStart, ordering: .relaxed) }
            if !worker.busy { producer.poll(timeoutMs: 0) }   // the worker serves the producer meanwhile
            // A checkpoint asked for while nothing is open waits for the next transaction.
            if txn.commitDue(now: monotonicNanos()) || (txn.isOpen && checkpointNow.exchange(false, ordering: .acquiringAndReleasing)) {
                try checkpoint(overlap: true)
            }
            warmUpCaptureIfHalfway(chain.op)
            if let collector = savepointRequest.withLock({ r -> SavepointCollector? in defer { r = nil }; return r }) {
                try writeSavepoint(collector)
            }
            if queryPending.exchange(false, ordering: .acquiringAndReleasing) { answerQueries() }
            if consumed > 0 { metrics.busyNanos.add(monotonicNanos() &- batchStart, ordering: .relaxed) }
            if sink.bytesOut > 0 { metrics.bytesOut.add(sink.bytesOut, ordering: .relaxed); sink.bytesOut = 0 }
            if nowMs - lastPublishedMs >= 250 {
                lastPublishedMs = nowMs
                publishStatus()
            }
        }
        if let e = rebalanceFailure ?? fileFailure { throw e }
        try settleCommit()
        if flushFlag.isSet && chain.op != nil {
            if !txn.isOpen { try beginTransaction() }
            try chain.flush(sink: sink)
            metrics.add(chain.takeCounts())
            if let c = chain.op?.patternCounters { metrics.publish(pattern: c) }
        }
        if let collector = stopSavepoint.withLock({ $0 }) {
            try writeSavepoint(collector)
        } else if txn.isOpen {
            try checkpoint()
        }
        answerQueries()
        committer.finish()
        logger.info("task stopped", metadata: ["task": "\(transactionalID)"])
    }

    /// librdkafka's mock cluster: aborted records stay visible (`reportAbortOnEmbeddedBroker`).
    private var embeddedBroker = false

    /// On the embedded broker an aborted transaction's records stay visible to
    /// `read_committed` readers (librdkafka 2.0.2's mock), so what exactly-once
    /// promises holds there only up to identical re-emits, and a second stage
    /// reading this output could count them twice: said, per abort, with the
    /// partitions and the checkpoint they go back to (docs/exactly-once.md).
    private func reportAbortOnEmbeddedBroker(_ partitions: [TopicPartition], why: String) {
        guard embeddedBroker else { return }
        let back = partitions.map { tp in "\(tp)@\(committed[tp].map { "checkpoint \($0.marker.checkpointID), offset \($0.marker.nextOffset)" } ?? "start")" }
        logger.warning("transaction aborted on the embedded broker: its records stay visible to read_committed readers (expect identical re-emits downstream)", metadata: [
            "task": "\(transactionalID)", "why": "\(why)", "partitions": "\(back.joined(separator: ", "))",
        ])
    }

    /// Late data in unusual numbers is logged (rate-limited); it is always counted.
    private var lateReporter = LateDataReporter()

    private func reportLate(_ counts: RecordChain.Counts) {
        guard let w = lateReporter.observe(records: counts.records, late: counts.late, sample: counts.lateSample,
                                           nowNanos: monotonicNanos()) else { return }
        let tp = job.source.topics.count == 1 ? "\(job.source.topics[0])[\(w.sample.partition)]" : "partition \(w.sample.partition)"
        logger.warning("records went to late data", metadata: [
            "task": "\(transactionalID)", "late": "\(w.late)", "of": "\(w.records)", "partition": "\(tp)",
            "eventTimeMs": "\(w.sample.eventTimeMs)", "watermarkMs": "\(w.sample.watermarkMs)",
            "behindMs": "\(w.sample.watermarkMs == .min ? 0 : w.sample.watermarkMs &- w.sample.eventTimeMs)",
        ])
    }

    // MARK: checkpoints

    private func beginTransaction() throws {
        guard let committer else { return }
        try committer.begin()
        try? txn.begin(now: monotonicNanos())
        warmedUp = false
    }

    /// Halfway to a periodic checkpoint, once per transaction: where the
    /// operator's next state copy would not fit memory already mapped (a
    /// state's first copy; a state that grew fast), that memory is mapped off
    /// the task thread, else the copy faults its pages in during the pause.
    private func warmUpCaptureIfHalfway(_ op: (any Operator)?) {
        guard !warmedUp, txn.isOpen, let op, monotonicNanos() &- txn.openedAt >= txn.intervalNanos / 2 else { return }
        warmedUp = true
        let work = op.captureWarmUps()
        if !work.isEmpty { warmUpQueue.async { for w in work { w() } } }
    }

    /// Where input partition `tp` keeps its checkpoints: the state topic may have
    /// fewer partitions than the sources (the embedded broker auto-creates 4);
    /// record keys tell partitions apart.
    private func statePartition(_ tp: TopicPartition) -> Int32 { tp.partition % max(1, statePartitions) }

    /// Creates the state topic where the broker supports it; its partition count.
    private func stateTopicPartitions() throws -> Int32 {
        let admin = try KafkaAdmin(config: runtime.kafka)
        defer { admin.close() }
        embeddedBroker = admin.isEmbeddedBroker()
        let sourcePartitions = try job.source.topics.compactMap { try admin.partitionCount(topic: $0) }.max() ?? 1
        if try admin.partitionCount(topic: stateTopic) == nil {
            do {
                try admin.createTopics([(name: stateTopic, partitions: sourcePartitions, replicationFactor: -1)], timeoutMs: 5000)
            } catch {
                // The embedded broker has no CreateTopics; it auto-creates the topic on first use.
                logger.debug("state topic not created here", metadata: ["topic": "\(stateTopic)", "error": "\(error)"])
            }
        }
        return Int32(try admin.partitionCount(topic: stateTopic) ?? 1)
    }

    /// Turns the open transaction into a checkpoint and commits it: every
    /// partition's state chunks, then (after `beforeMarkers`) every marker,
    /// then the commit. With `overlap` the task only captures its state (a
    /// copy, where the operator can make one) and goes on at once: the commit
    /// worker serializes and produces it, the markers and the commit, while
    /// the task's output is held until the commit is done. Otherwise this
    /// returns when the checkpoint is durable (revoke, stop, savepoint).
    private func checkpoint(overlap: Bool = false) throws {
        try settleCommit()
        guard let committer, let consumer, let chain, let producer, let stateHandle, txn.isOpen else { return }
        let started = monotonicNanos()
        try? txn.commitStarted()
        do {
            let id = ids.next()
            // Part files are finished and named pending first: the markers list them.
            let fileLists = try files?.prepareCheckpoint(id) ?? [:]
            var parts: [PartitionCheckpoint] = []
            var offsets: [TopicPartitionOffset] = []
            let assignment = try consumer.assignment()
            for tp in assignment {
                let next = read.nextOffset(tp) ?? committed[tp]?.marker.nextOffset ?? -1
                guard next >= 0 else { continue }   // nothing read and nothing restored yet
                parts.append(PartitionCheckpoint(
                    partition: tp, statePartition: statePartition(tp), nextOffset: next,
                    watermark: chain.watermarks.watermark, maxEventTime: chain.watermarks.maxEventTime(watermarkIndex(tp)),
                    files: fileLists[Int(tp.partition)] ?? [], state: chain.op?.captureState(partition: Int(tp.partition))))
                offsets.append(TopicPartitionOffset(tp, offset: next))
            }
            if let announcer { try announcer.announce(chain.watermarks, assigned: assignment, producer: producer) }
            let write = CheckpointWrite(checkpointID: id, partitions: parts, producer: producer, stateTopic: stateHandle,
                                        startedNanos: started, beforeMarkers: { try committer.beforeMarkers() })
            if overlap, let worker, let sink, let commit = try committer.backgroundCommit(offsets: offsets) {
                sink.holding = true
                inFlight = write
                processedWhileCommitting = false
                write.delayBeforeMarkersMs = CheckpointWrite.testDelayMs
                if write.delayBeforeMarkersMs > 0 { write.testTask = transactionalID }
                worker.start { try write.run(); try commit() }
                write.pauseNanos = monotonicNanos() - started
                metrics.checkpointPauses.record(nanos: write.pauseNanos)
                logger.debug("checkpoint captured", metadata: [
                    "task": "\(transactionalID)", "checkpoint": "\(id)", "keys": "\(chain.op?.stateCounts.keys ?? 0)",
                    "pause_ms": "\(String(format: "%.1f", Double(write.pauseNanos) / 1e6))",
                ])
                return
            }
            try write.run()
            try committer.commit(offsets: offsets)
            write.pauseNanos = monotonicNanos() - started
            committedCheckpoint(write)
            // Only periodic checkpoints pause processing; a revoke, stop or savepoint happens when nothing is processed.
            if overlap { metrics.checkpointPauses.record(nanos: write.pauseNanos) }
        } catch let e as KafkaError {
            try handle(e)
        }
    }

    private func committedCheckpoint(_ write: CheckpointWrite) {
        try? txn.committed()
        committed.merge(write.written.mapValues { Committed(marker: $0.marker, chunks: $0.chunks) }) { $1 }
        if let files, !write.written.isEmpty {
            do {
                try files.commit(write.checkpointID)
            } catch {
                logger.error("renaming committed part files failed", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
                fileFailure = error
                stopFlag.set()
            }
        }
        metrics.checkpointSnapshots.record(nanos: write.writeNanos)
        metrics.commits.add(1, ordering: .relaxed)
        metrics.checkpointDurations.record(nanos: monotonicNanos() - write.startedNanos)
        let bytes = write.written.values.reduce(0) { $0 + $1.chunks.reduce(0) { $0 + $1.count } }
        metrics.checkpointBytes.record(nanos: UInt64(bytes))
        let endMs = Int64(Date().timeIntervalSince1970 * 1000)
        metrics.record(checkpoint: CheckpointRecord(
            id: write.checkpointID, status: .completed,
            triggerMs: endMs - Int64((monotonicNanos() - write.startedNanos) / 1_000_000), endMs: endMs, stateBytes: bytes,
            partitions: write.written.count, pauseMs: Double(write.pauseNanos) / 1_000_000))
    }

    /// Collects an overlapped commit (waiting for it, or only if it is done).
    /// Success: what was held and processed meanwhile goes into a new
    /// transaction. Failure: handled like any error of the transaction.
    private func settleCommit(wait: Bool = true) throws {
        guard let worker, worker.busy, let outcome = wait ? worker.wait() : worker.poll() else { return }
        let write = inFlight
        inFlight = nil
        switch outcome {
        case .success:
            if let write { committedCheckpoint(write) }
            guard let sink else { return }
            if !sink.held.isEmpty || processedWhileCommitting {
                try beginTransaction()
                try sink.release()
            } else {
                sink.holding = false
            }
            processedWhileCommitting = false
        case .failure(let error):
            try handle(error as? KafkaError ?? KafkaError.local("\(error)"))
        }
    }

    /// A savepoint is a checkpoint written out: commit one now, then write the
    /// committed state of every assigned partition to the collector's directory.
    private func writeSavepoint(_ collector: SavepointCollector) throws {
        try settleCommit()
        if !txn.isOpen { try beginTransaction() }
        try checkpoint()
        let assigned = Set(try consumer?.assignment() ?? [])
        let parts = committed.filter { assigned.contains($0.key) }.map { (marker: $0.value.marker, chunks: $0.value.chunks) }
        let unread = assigned.filter { committed[$0] == nil }.map { Savepoint.PartitionRef(topic: $0.topic, partition: $0.partition) }
        try collector.report(slot: slot, partitions: parts, unread: unread)
        logger.info("savepoint written", metadata: ["task": "\(transactionalID)", "partitions": "\(parts.count)", "dir": "\(collector.directory)"])
    }

    /// Abortable: abort, put every partition's state and position back to its
    /// last committed checkpoint, go on. Fatal or fenced, or anything without a
    /// transaction to abort: the task ends and the job's restart strategy decides.
    private func handle(_ error: KafkaError) throws {
        var error = error
        // An overlapped commit still running ends first: if it succeeded, that checkpoint is
        // what the partitions go back to; if it failed for good, that is the error to act on.
        if let worker, worker.busy, let outcome = worker.wait() {
            let write = inFlight
            inFlight = nil
            switch outcome {
            case .success: if let write { committedCheckpoint(write) }
            case .failure(let e):
                if let k = e as? KafkaError, k.kind != .abortable { error = k }
            }
        }
        sink?.discardHeld()
        // Pending files stay on disk: the restore of their partition decides by its marker.
        files?.discardUncommitted()
        processedWhileCommitting = false
        guard error.kind == .abortable, let committer, committer.canAbort, let consumer else {
            txn.fail()
            logger.error("task failed", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
            throw error
        }
        logger.warning("aborting transaction", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
        if txn.phase == .open || txn.phase == .committing {
            try committer.abort()
            try? txn.aborted()
            if embeddedBroker { reportAbortOnEmbeddedBroker(try consumer.assignment(), why: "\(error)") }
        }
        metrics.aborts.add(1, ordering: .relaxed)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        metrics.record(checkpoint: CheckpointRecord(id: 0, status: .failed, triggerMs: nowMs, endMs: nowMs, stateBytes: 0, partitions: 0))
        try chain?.resetEventTime()
        for tp in try consumer.assignment() {
            let offset = try rewind(tp)
            try consumer.seek(topic: tp.topic, partition: tp.partition, offset: offset)
        }
    }

    /// Drops a partition's uncommitted state and event time; returns the offset to read from.
    private func rewind(_ tp: TopicPartition) throws -> Int64 {
        let p = Int(tp.partition)
        let now = Int64(truncatingIfNeeded: monotonicNanos() / 1_000_000)
        if let c = committed[tp] {
            if let op = chain?.op {
                op.dropPartition(p)
                try op.restore(partition: p, chunks: c.chunks)
            }
            chain?.addPartition(watermarkIndex(tp), nowMs: now, restoredMaxEventTime: c.marker.maxEventTime)
            read.assign(tp, from: c.marker.nextOffset)
            return c.marker.nextOffset
        }
        chain?.op?.dropPartition(p)
        chain?.addPartition(watermarkIndex(tp), nowMs: now)
        read.assign(tp, from: nil)
        return job.source.startFrom == .earliest ? TopicPartitionOffset.beginning : TopicPartitionOffset.end
    }

    // MARK: rebalance

    /// Assigned partitions are restored from their newest visible checkpoint
    /// before any of their records is read; revoked ones are checkpointed inside
    /// the callback, before they move; lost ones are aborted.
    private func onRebalance(_ event: RebalanceEvent) {
        switch event {
        case .assigned(let parts):
            if metrics.assignedNanos.load(ordering: .relaxed) == 0 {
                metrics.assignedNanos.store(monotonicNanos(), ordering: .relaxed)
            }
            metrics.restoring.store(true, ordering: .relaxed)
            defer {
                metrics.restoredNanos.store(monotonicNanos(), ordering: .relaxed)
                metrics.restoring.store(false, ordering: .relaxed)
                metrics.rebalancing.store(false, ordering: .relaxed)
            }
            do {
                try restore(parts)
            } catch {
                // Without its state a partition must not be processed: fail the task.
                logger.error("restore failed", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
                rebalanceFailure = error
                stopFlag.set()
            }
        case .revoked(let parts):
            metrics.rebalancing.store(true, ordering: .relaxed)
            do {
                try checkpoint()
            } catch {
                // Only what ends the transaction for good gets here (abortable errors were
                // aborted): the task must end, not carry on with a dead producer.
                logger.error("checkpoint on revoke failed", metadata: ["task": "\(transactionalID)", "error": "\(error)"])
                rebalanceFailure = error
                stopFlag.set()
            }
            forget(parts)
        case .lost(let parts):
            metrics.rebalancing.store(true, ordering: .relaxed)
            if let worker, worker.busy, let outcome = worker.wait() {
                if case .success = outcome, let write = inFlight { committedCheckpoint(write) }
                inFlight = nil
            }
            sink?.discardHeld()
            files?.discardUncommitted()
            processedWhileCommitting = false
            if txn.isOpen || txn.phase == .committing, let committer {
                _ = try? committer.abort()
                try? txn.aborted()
                reportAbortOnEmbeddedBroker(parts, why: "partitions lost (session expired)")
            }
            forget(parts)
        }
    }

    /// A failure inside a rebalance callback (restore, checkpoint on revoke): the task ends with it.
    private var rebalanceFailure: Error?

    private func restore(_ parts: [TopicPartition]) throws {
        guard let chain, let consumer else { return }
        let started = monotonicNanos()
        let restorer = try StateRestorer(kafka: runtime.kafka, stateTopic: stateTopic, logger: logger)
        defer { restorer.close() }
        var starts: [TopicPartitionOffset] = []
        var bytes = 0, restoredCount = 0
        let now = Int64(truncatingIfNeeded: monotonicNanos() / 1_000_000)
        var fromTopic: [StateRestorer.Request] = []
        for tp in parts {
            let p = Int(tp.partition)
            chain.op?.dropPartition(p)
            if let (saved, chunks) = savepointRestore?.take(topic: tp.topic, partition: tp.partition) {
                try files?.cleanup(partition: p)
                if let op = chain.op { try op.restore(partition: p, chunks: chunks) }
                chain.addPartition(watermarkIndex(tp), nowMs: now, restoredMaxEventTime: saved.maxEventTime)
                ids.observe(saved.checkpointID)
                let marker = CheckpointMarker(checkpointID: saved.checkpointID, topic: tp.topic, partition: tp.partition,
                                              nextOffset: saved.nextOffset, watermark: saved.watermark,
                                              maxEventTime: saved.maxEventTime, chunkCount: UInt32(chunks.count))
                committed[tp] = Committed(marker: marker, chunks: chunks)
                read.assign(tp, from: saved.nextOffset)   // owned: without it every record of tp was skipped
                starts.append(TopicPartitionOffset(tp, offset: saved.nextOffset))
                bytes += chunks.reduce(0) { $0 + $1.count }; restoredCount += 1
            } else {
                fromTopic.append(StateRestorer.Request(topic: tp.topic, partition: tp.partition, statePartition: statePartition(tp)))
            }
        }
        // One pass over the state partitions for all of them (a read per partition cost ~1 s each on the embedded broker).
        let found = fromTopic.isEmpty ? [:] : try restorer.restore(fromTopic)
        for req in fromTopic {
            let tp = TopicPartition(topic: req.topic, partition: req.partition)
            let p = Int(tp.partition)
            guard let r = found[tp] else {
                try files?.cleanup(partition: p)
                chain.addPartition(watermarkIndex(tp), nowMs: now)
                committed[tp] = nil
                read.assign(tp, from: nil)
                continue
            }
            if let op = chain.op { try op.restore(partition: p, chunks: r.chunks) }
            if let files {
                // First finish what the committed checkpoint made visible, then drop every other staged file.
                let missing = try files.recover(partition: p, files: r.marker.files)
                if !missing.isEmpty {
                    logger.warning("committed part files are neither pending nor visible", metadata: [
                        "task": "\(transactionalID)", "partition": "\(tp)", "files": "\(missing)"])
                }
                try files.cleanup(partition: p)
            }
            chain.addPartition(watermarkIndex(tp), nowMs: now, restoredMaxEventTime: r.marker.maxEventTime)
            ids.observe(r.marker.checkpointID)
            committed[tp] = Committed(marker: r.marker, chunks: r.chunks)
            read.assign(tp, from: r.marker.nextOffset)
            starts.append(TopicPartitionOffset(tp, offset: r.marker.nextOffset))
            bytes += r.bytes; restoredCount += 1
        }
        consumer.setStartOffsets(starts)
        restoredPositions.append(contentsOf: starts)
        if restoredCount > 0 { metrics.restores.add(1, ordering: .relaxed) }
        logger.info("assigned", metadata: [
            "task": "\(transactionalID)", "partitions": "\(parts.map(\.description))",
            "restored": "\(restoredCount)", "stateBytes": "\(bytes)",
            "ms": "\(String(format: "%.1f", Double(monotonicNanos() - started) / 1e6))",
        ])
    }

    /// Where the watermark tracker keeps `tp` (its partition, except in a
    /// first stage reading several topics: `WatermarkAnnouncer.trackerIndex`).
    private func watermarkIndex(_ tp: TopicPartition) -> Int {
        announcer?.trackerIndex(topic: tp.topic, partition: tp.partition) ?? Int(tp.partition)
    }

    private func forget(_ parts: [TopicPartition]) {
        for tp in parts {
            chain?.removePartition(watermarkIndex(tp))
            committed[tp] = nil
            read.revoke(tp)
        }
        restoredPositions.removeAll { p in parts.contains { $0 == p.topicPartition } }
    }
}

/// A flag set from any thread and read by the task loop once per batch.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
