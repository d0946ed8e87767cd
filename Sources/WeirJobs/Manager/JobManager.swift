import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WeirEngine

/// The jobs of one service group as this instance runs them. Definitions live
/// in a `JobStore` (the jobs topic): a submission, cancel, stop or savepoint
/// sent to any instance is written there, and every instance applies what it
/// reads, so all of them run their share of every running job (Kafka's
/// consumer groups split the partitions). A restarted instance reads the store
/// and resumes what is running. A job that fails is recorded as FAILED and the
/// others go on.
///
/// As a `Service`: reads the store, registers the pipeline files it was given,
/// runs the jobs, and on graceful shutdown lets every task finish its batch,
/// checkpoint and leave its group.
public final class JobManager: Service, Sendable {
    public let instanceID: String
    private let store: JobStore
    private let factory: JobFactory
    private let files: [JobDefinition]
    private let logger: Logger
    private let state = Mutex(State())
    /// Records are applied one at a time (the store's reader, or a local store's writer).
    private let applying = Mutex(())
    private let starts: AsyncStream<Start>
    private let startContinuation: AsyncStream<Start>.Continuation

    struct State {
        var jobs: [String: ManagedJob] = [:]
        var order: [String] = []
        var definitions: [String: JobDefinition] = [:]
        var savepoints: [String: SavepointOperation] = [:]
        var caughtUp = false
        var filesRegistered = false
        var instances: [String: InstanceHeartbeat] = [:]
    }

    struct Start: Sendable {
        var job: ManagedJob
        var after: ManagedJob?
    }

    /// `files`: the pipeline files to register at start (a file whose text
    /// changed replaces its job; one whose job was cancelled stays cancelled).
    /// How often this instance writes its heartbeat; one unheard for three is gone.
    public let heartbeatInterval: Duration
    public let startedMs = JobManager.nowMs()
    private let version: String

    public init(store: JobStore, factory: JobFactory, instanceID: String, files: [JobDefinition] = [], version: String = "",
                heartbeatInterval: Duration = .seconds(10), logger: Logger) {
        self.store = store; self.factory = factory; self.instanceID = instanceID; self.files = files; self.logger = logger
        self.version = version; self.heartbeatInterval = heartbeatInterval
        (starts, startContinuation) = AsyncStream.makeStream()
    }

    /// The instances of this service group heard from within three heartbeat
    /// intervals (this one always), by id.
    public func instances(nowMs: Int64 = JobManager.nowMs()) -> [InstanceHeartbeat] {
        let c = heartbeatInterval.components
        let horizon = Int64((Double(c.seconds) + Double(c.attoseconds) / 1e18) * 3_000)
        var live = state.withLock { $0.instances }.filter { nowMs - $0.value.heartbeatMs <= horizon }
        if live[instanceID] == nil {
            live[instanceID] = InstanceHeartbeat(instance: instanceID, startedMs: startedMs, heartbeatMs: nowMs, version: version)
        }
        return live.values.sorted { $0.instance < $1.instance }
    }

    /// In the order they were first defined.
    public var all: [ManagedJob] { state.withLock { s in s.order.compactMap { s.jobs[$0] } } }

    /// A job by id or by name.
    public func job(_ idOrName: String) -> ManagedJob? {
        state.withLock { s in s.jobs[idOrName] ?? s.jobs.values.first { $0.id.hex == idOrName } }
    }

    /// The store has been read and the pipeline files registered (before
    /// that, jobs may be missing here).
    public var isCaughtUp: Bool { state.withLock { $0.caughtUp && $0.filesRegistered } }

    public func run() async throws {
        // Kafka may not be up yet (a compose stack starting): keep trying, not ready meanwhile.
        var records: [JobsTopicRecord]?
        var attempt = 0
        while records == nil {
            do { records = try await store.catchUp() } catch {
                attempt += 1
                if attempt == 1 || attempt % 10 == 0 {
                    logger.error("the jobs topic cannot be read; retrying", metadata: ["error": "\(error)", "attempts": "\(attempt)"])
                }
                _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
                guard !Task.isShuttingDownGracefully, !Task.isCancelled else {
                    store.close()
                    return
                }
            }
        }
        for r in records ?? [] { apply(r, live: false) }
        state.withLock { $0.caughtUp = true }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.store.follow { [self] r in apply(r, live: true) } }
                group.addTask {
                    await self.registerFiles()
                    self.state.withLock { $0.filesRegistered = true }
                }
                group.addTask { await self.heartbeats() }
                for await start in starts {
                    group.addTask { await start.job.run(after: start.after) }
                }
            }
        } onGracefulShutdown: { [self] in
            store.close()
            startContinuation.finish()
        }
        logger.info("job manager stopped")
    }

    /// Writes this instance's heartbeat now and every interval until shutdown.
    private func heartbeats() async {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let beat = InstanceHeartbeat(instance: instanceID, startedMs: startedMs, heartbeatMs: Self.nowMs(), version: version)
            do {
                try await store.write(.instance(beat))
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("the heartbeat could not be written to the jobs topic", metadata: ["error": "\(error)"]) }
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.heartbeatInterval) }
        }
    }

    // MARK: requests (REST, CLI): written to the store, applied when read back

    /// Submits a job. Refused when a job of that name is running (conflict) or
    /// the definition does not compile (invalid).
    @discardableResult
    public func submit(_ definition: JobDefinition) async throws(JobManagerError) -> ManagedJob {
        if let existing = job(definition.name), existing.definition.state == .running, !existing.status.isTerminal {
            throw .conflict("a job named \(definition.name) exists (\(existing.id), \(existing.status.rawValue)): cancel or stop it first")
        }
        do { _ = try factory.make(definition) } catch {
            throw .invalid("\(error)")
        }
        try await write(.job(definition))
        guard let job = job(definition.name), job.definition == definition else {
            throw .unavailable("the job was written to the jobs topic but not read back in time")
        }
        return job
    }

    /// Cancels a job everywhere.
    public func cancel(_ job: ManagedJob) async throws(JobManagerError) {
        guard !job.status.isTerminal, job.status != .cancelling else {
            throw .conflict("job \(job.name) is \(job.status.rawValue): it cannot be cancelled")
        }
        var d = job.definition
        d.state = .cancelled; d.stop = nil; d.updatedAt = Self.nowMs()
        try await write(.job(d))
    }

    /// Stops a job everywhere with a savepoint into `directory` (each instance
    /// writes its part, then stops); returns the request id. `cancel`: end it
    /// CANCELED (a savepoint with `cancel-job`).
    public func stop(_ job: ManagedJob, directory: String, drain: Bool, cancel: Bool = false) async throws(JobManagerError) -> String {
        guard job.status == .running else {
            throw .conflict("job \(job.name) is \(job.status.rawValue): a stop with a savepoint needs it RUNNING")
        }
        try readyForSavepoint(job)
        let id = Self.requestID()
        var d = job.definition
        d.state = cancel ? .cancelled : .stopped
        d.stop = .init(requestID: id, directory: directory, drain: drain)
        d.updatedAt = Self.nowMs()
        try await write(.job(d))
        return id
    }

    /// Asks every instance running the job for its part of a savepoint into
    /// `directory`; returns the request id.
    public func savepoint(_ job: ManagedJob, directory: String) async throws(JobManagerError) -> String {
        guard job.status == .running else {
            throw .conflict("job \(job.name) is \(job.status.rawValue): a savepoint needs it RUNNING")
        }
        try readyForSavepoint(job)
        let id = Self.requestID()
        try await write(.savepoint(SavepointRequest(requestID: id, job: job.name, directory: directory, cancelJob: false,
                                                    requestedAt: Self.nowMs())))
        return id
    }

    /// A savepoint needs every task to hold its partitions (as Flink needs every
    /// task running): one taken while tasks join or restore would miss them.
    private func readyForSavepoint(_ job: ManagedJob) throws(JobManagerError) {
        guard job.isReady else {
            throw .conflict("job \(job.name) is not ready for a savepoint: its tasks are joining their group or restoring (GET /readyz); try again")
        }
    }

    /// A savepoint of `job` by request id, with its status.
    public func savepointStatus(job: ManagedJob, requestID: String) -> SavepointOperation.Status? {
        guard let op = state.withLock({ $0.savepoints[requestID] }), op.job == job.name else { return nil }
        return op.status(nowMs: Self.nowMs())
    }

    /// Writes a record and waits until this instance has applied it.
    private func write(_ record: JobsTopicRecord) async throws(JobManagerError) {
        do { try await store.write(record) } catch {
            throw .unavailable("the jobs topic could not be written: \(error)")
        }
        for _ in 0..<300 {
            if applied(record) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw .unavailable("written to the jobs topic, but not read back within 15 s")
    }

    private func applied(_ record: JobsTopicRecord) -> Bool {
        state.withLock { s in
            switch record {
            case .job(let d): s.definitions[d.name] == d
            case .savepoint(let r): s.savepoints[r.requestID] != nil
            case .instance(let h): s.instances[h.instance] == h
            case .deleted: true
            }
        }
    }

    // MARK: applying what the store holds

    /// `live`: read after the catch-up, so requests in it are acted on (replayed
    /// ones are history: their savepoints are answered from their directories).
    func apply(_ record: JobsTopicRecord, live: Bool) {
        applying.withLock { _ in
            switch record {
            case .job(let d): applyDefinition(d, live: live)
            case .savepoint(let r): applySavepoint(r, live: live)
            case .instance(let h): state.withLock { $0.instances[h.instance] = h }
            case .deleted(let key) where key.hasPrefix("instance/"):
                state.withLock { _ = $0.instances.removeValue(forKey: String(key.dropFirst("instance/".count))) }
            case .deleted(let key): logger.info("jobs topic: \(key) deleted (its job, if any, keeps its state here)")
            }
        }
    }

    private func applyDefinition(_ d: JobDefinition, live: Bool) {
        // Recorded last: a writer waiting to see its definition applied then finds the job built.
        defer { state.withLock { $0.definitions[d.name] = d } }
        let current = state.withLock { $0.jobs[d.name] }
        if let stop = d.stop, let op = savepointOperation(stop.requestID, job: d.name, directory: stop.directory, at: d.updatedAt, jobs: current?.jobs) {
            state.withLock { $0.savepoints[op.requestID] = op }
        }
        switch d.state {
        case .running:
            if let current, !current.status.isTerminal, current.status != .cancelling, current.definition.runsLike(d) {
                current.update(d)
                return
            }
            if let current, !current.status.isTerminal {
                logger.notice("job definition changed: the running job is stopped and started again", metadata: ["job": "\(d.name)"])
                current.jobs.inOrder.forEach { $0.stop() }
            }
            start(d, after: current)
        case .stopped, .cancelled:
            guard let current, !current.status.isTerminal, live || current.definition.state == .running else {
                if current == nil { register(d) }
                current?.update(d)
                return
            }
            current.update(d)
            if let stop = d.stop {
                stopWithSavepoint(current, stop, cancel: d.state == .cancelled)
            } else if d.state == .cancelled {
                try? current.cancel()
            } else {
                current.jobs.inOrder.forEach { $0.stop() }
            }
        }
    }

    private func start(_ d: JobDefinition, after previous: ManagedJob?) {
        let jobs: PipelineJobs
        do { jobs = try factory.make(d) } catch {
            logger.error("job not started: its definition does not compile here", metadata: ["job": "\(d.name)", "error": "\(error)"])
            return
        }
        let job = ManagedJob(definition: d, jobs: jobs, logger: logger)
        insert(job)
        logger.info("job starting", metadata: ["job": "\(d.name)", "id": "\(job.id)", "origin": "\(d.origin)"])
        startContinuation.yield(Start(job: job, after: previous))
    }

    /// A job known from the store that does not run (stopped or cancelled before this instance started).
    private func register(_ d: JobDefinition) {
        guard let jobs = try? factory.make(d) else { return }
        let job = ManagedJob(definition: d, jobs: jobs, logger: logger)
        job.markNotRunning(d.state)
        insert(job)
    }

    private func insert(_ job: ManagedJob) {
        state.withLock { s in
            if s.jobs[job.name] == nil { s.order.append(job.name) }
            s.jobs[job.name] = job
        }
    }

    private func stopWithSavepoint(_ job: ManagedJob, _ stop: JobDefinition.StopRequest, cancel: Bool) {
        do {
            let collector = try job.jobs.main.savepointCollector(
                directory: stop.directory, part: .init(instance: instanceID, expected: expected(stop.requestID)))
            try job.stop(savepoint: collector, drain: stop.drain, cancel: cancel)
            logger.info("stopping with a savepoint", metadata: ["job": "\(job.name)", "dir": "\(stop.directory)", "drain": "\(stop.drain)"])
        } catch {
            fail(stop.requestID, "instance \(instanceID): \(error)")
            job.jobs.inOrder.forEach { $0.stop() }
        }
    }

    private func applySavepoint(_ r: SavepointRequest, live: Bool) {
        let current = state.withLock { $0.jobs[r.job] }
        guard let op = savepointOperation(r.requestID, job: r.job, directory: r.directory, at: r.requestedAt, jobs: current?.jobs) else { return }
        state.withLock { $0.savepoints[op.requestID] = op }
        guard live, let current, current.status == .running else { return }
        do {
            let collector = try current.jobs.main.savepointCollector(
                directory: r.directory, part: .init(instance: instanceID, expected: op.expected))
            current.jobs.main.requestSavepoint(collector)
            logger.info("savepoint requested", metadata: ["job": "\(r.job)", "dir": "\(r.directory)"])
        } catch {
            fail(r.requestID, "instance \(instanceID): \(error)")
        }
    }

    private func savepointOperation(_ id: String, job: String, directory: String, at: Int64, jobs: PipelineJobs?) -> SavepointOperation? {
        if let known = state.withLock({ $0.savepoints[id] }) { return known }
        return SavepointOperation(requestID: id, job: job, directory: directory, requestedAtMs: at,
                                  expected: jobs.flatMap { factory.savepointPartitions($0) })
    }

    private func expected(_ requestID: String) -> Set<Savepoint.TopicPartitionKey>? {
        state.withLock { $0.savepoints[requestID]?.expected }
    }

    /// Records why this instance's part failed, here and in the directory (so every instance reports it).
    private func fail(_ requestID: String, _ cause: String) {
        logger.error("savepoint failed", metadata: ["request": "\(requestID)", "cause": "\(cause)"])
        let dir = state.withLock { s -> String? in s.savepoints[requestID]?.failure = cause; return s.savepoints[requestID]?.directory }
        if let dir {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? cause.write(toFile: URL(fileURLWithPath: dir).appendingPathComponent("_failed-\(Savepoint.fileSafe(instanceID))").path,
                             atomically: true, encoding: .utf8)
        }
    }

    private func registerFiles() async {
        for f in files {
            let existing = state.withLock { $0.definitions[f.name] }
            if let existing {
                if existing.pipeline == f.pipeline { continue }
                if existing.origin != f.origin {
                    logger.warning("pipeline file not registered: a job of that name was defined elsewhere",
                                   metadata: ["file": "\(f.origin)", "job": "\(f.name)", "defined by": "\(existing.origin)"])
                    continue
                }
            }
            do { try await write(.job(f)) } catch {
                logger.error("pipeline file not registered", metadata: ["file": "\(f.origin)", "error": "\(error)"])
            }
        }
    }

    public static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// 32 hex characters, as Flink's trigger ids.
    static func requestID() -> String {
        (0..<2).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(16) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
