import Foundation
import Logging
import Testing
import WeirEngine
import WeirPipelines
@testable import WeirJobs

/// The job manager's reading of job definitions (what the jobs topic holds),
/// with definitions in memory and jobs that are built but never run: which
/// job exists, replaced or not, in which state, and which requests it refuses.
struct JobManagerTests {
    static let pipeline = """
        name: clicks
        source: {kafka: {topic: in}}
        steps:
          - filter: "amount > 0"
        sink: {kafka: {topic: out}}
        """

    struct Factory: JobFactory {
        func make(_ d: JobDefinition) throws -> PipelineJobs {
            let p = try PipelineLoader().load(yaml: d.pipeline, file: d.origin)
            var spec = p.job
            spec.parallelism = d.parallelism ?? 1
            return try PipelineJobs(pipeline: p, spec: spec, runtime: RuntimeConfig(kafka: .init(bootstrapServers: "127.0.0.1:9"), instanceID: "t"),
                                    createRepartitionTopic: false, logger: Logger(label: "test"))
        }
        func savepointPartitions(_ jobs: PipelineJobs) -> Set<Savepoint.TopicPartitionKey>? { nil }
    }

    func definition(_ text: String = pipeline, state: JobDefinition.DesiredState = .running, parallelism: Int? = nil) -> JobDefinition {
        JobDefinition(name: "clicks", pipeline: text, origin: "test.yaml", state: state, parallelism: parallelism, updatedAt: 1)
    }

    func manager(_ store: JobStore = LocalJobStore()) -> JobManager {
        JobManager(store: store, factory: Factory(), instanceID: "t", logger: Logger(label: "test"))
    }

    /// A manager following its store, as `run()` does (its jobs are not run).
    func following() async throws -> (JobManager, LocalJobStore) {
        let store = LocalJobStore()
        let m = manager(store)
        _ = try await store.catchUp()
        Task { await store.follow { r in m.apply(r, live: true) } }
        return (m, store)
    }

    @Test func aRunningDefinitionMakesAJobAndTheSameDefinitionKeepsIt() throws {
        let m = manager()
        m.apply(.job(definition()), live: true)
        let first = try #require(m.job("clicks"))
        #expect(first.status == .created)
        #expect(m.job(first.id.hex) === first)
        var later = definition()
        later.updatedAt = 2
        m.apply(.job(later), live: true)
        #expect(m.job("clicks") === first, "the same pipeline and parallelism: the running job stays")
        #expect(m.job("clicks")?.definition.updatedAt == 2)
        m.apply(.job(definition(parallelism: 3)), live: true)
        let replaced = try #require(m.job("clicks"))
        #expect(replaced !== first, "another parallelism: a new job replaces it")
        #expect(replaced.jobs.main.slotMetrics.count == 3)
        #expect(m.all.count == 1)
    }

    @Test func aCancelledDefinitionReadAtStartIsListedCanceledAndNotRun() throws {
        let m = manager()
        m.apply(.job(definition(state: .cancelled)), live: false)
        let job = try #require(m.job("clicks"))
        #expect(job.status == .canceled)
        #expect(job.hasEnded)
        var stopped = definition(state: .stopped)
        stopped.name = "clicks"
        let m2 = manager()
        m2.apply(.job(stopped), live: false)
        #expect(m2.job("clicks")?.status == .finished)
    }

    @Test func aTaskRestartShowsFailingRestartingThenRunning() throws {
        let m = manager()
        m.apply(.job(definition()), live: true)
        let job = try #require(m.job("clicks"))
        job.taskEvent(.restarted)
        #expect(job.status == .created, "nothing moves a job that has not started")
        job.markStartedForTest()
        job.taskEvent(.failedWillRestart)
        #expect(job.status == .restarting)
        #expect(job.lifecycleSnapshot.enteredMs[.failing] != nil, "it went through FAILING")
        job.taskEvent(.restarted)
        #expect(job.status == .running)
    }

    @Test func aLiveCancelCancelsTheJob() throws {
        let m = manager()
        m.apply(.job(definition()), live: true)
        m.apply(.job(definition(state: .cancelled)), live: true)
        #expect(m.job("clicks")?.status == .cancelling, "its tasks stop; run() then ends it CANCELED")
    }

    @Test func aSubmissionOfARunningNameIsAConflictAndABadOneInvalid() async throws {
        let (m, store) = try await following()
        defer { store.close() }
        let submitted = try await m.submit(definition())
        #expect(submitted.name == "clicks")
        await #expect(throws: JobManagerError.self) { try await m.submit(definition()) }
        do {
            _ = try await m.submit(definition())
        } catch {
            guard case .conflict(let text) = error else { Issue.record("expected a conflict, got \(error)"); return }
            #expect(text.contains("cancel or stop it first"))
        }
        var bad = definition("name: other\nsource: {kafka: {topic: in}}\n")
        bad.name = "other"
        do {
            _ = try await m.submit(bad)
            Issue.record("an invalid pipeline was accepted")
        } catch {
            guard case .invalid = error else { Issue.record("expected invalid, got \(error)"); return }
        }
        #expect(m.job("other") == nil)
    }

    @Test func aCancelledJobCanBeSubmittedAgain() async throws {
        let (m, store) = try await following()
        defer { store.close() }
        let first = try await m.submit(definition())
        try await m.cancel(first)
        #expect(first.status == .cancelling)
        await #expect(throws: JobManagerError.self) { try await m.cancel(first) }
        first.markNotRunning(.cancelled)   // what run() does once its tasks stopped
        let second = try await m.submit(definition())
        #expect(second !== first)
        #expect(second.status == .created)
    }

    @Test func aSavepointRequestIsAnsweredFromItsDirectory() async throws {
        let (m, store) = try await following()
        defer { store.close() }
        let job = try await m.submit(definition())
        // Not running: a savepoint needs RUNNING.
        await #expect(throws: JobManagerError.self) { try await m.savepoint(job, directory: "/tmp/x") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-sp-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        m.apply(.savepoint(SavepointRequest(requestID: "r1", job: "clicks", directory: dir, cancelJob: false,
                                            requestedAt: JobManager.nowMs())), live: false)
        #expect(m.savepointStatus(job: job, requestID: "r1") == .inProgress)
        #expect(m.savepointStatus(job: job, requestID: "nope") == nil)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "{\"format\":\"weir-savepoint\",\"version\":1,\"job\":\"clicks\",\"createdAt\":\"x\",\"partitions\":[]}"
            .write(toFile: dir + "/_part-a.json", atomically: true, encoding: .utf8)
        #expect(m.savepointStatus(job: job, requestID: "r1") == .completed(location: dir), "parts with no expectation complete it")
        #expect(FileManager.default.fileExists(atPath: dir + "/_manifest.json"))
    }
}

struct SavepointOperationTests {
    func manifest(_ partitions: [(Int32, Int64)], instance: String) -> String {
        let parts = partitions.map { p, o in
            "{\"topic\":\"in\",\"partition\":\(p),\"nextOffset\":\(o),\"watermark\":0,\"checkpointID\":\(o),\"files\":[\"\(instance).in.\(p).0.state\"]}"
        }
        return "{\"format\":\"weir-savepoint\",\"version\":1,\"job\":\"clicks\",\"createdAt\":\"x\",\"partitions\":[\(parts.joined(separator: ","))]}"
    }

    @Test func partsAreAssembledOnceTheyCoverEveryPartitionTakingTheLaterState() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-parts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected: Set<Savepoint.TopicPartitionKey> = [.init(topic: "in", partition: 0), .init(topic: "in", partition: 1), .init(topic: "in", partition: 2)]
        let op = SavepointOperation(requestID: "r", job: "clicks", directory: dir, requestedAtMs: JobManager.nowMs(), expected: expected)
        try manifest([(0, 10), (1, 20)], instance: "a").write(toFile: dir + "/_part-a.json", atomically: true, encoding: .utf8)
        #expect(op.status(nowMs: JobManager.nowMs()) == .inProgress, "partition 2 is missing")
        // b held partition 1 later (it moved while the instances stopped) and partition 2.
        try manifest([(1, 25), (2, 30)], instance: "b").write(toFile: dir + "/_part-b.json", atomically: true, encoding: .utf8)
        #expect(op.status(nowMs: JobManager.nowMs()) == .completed(location: dir))
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/_manifest.json"))
        let m = try JSONDecoder().decode(Savepoint.Manifest.self, from: data)
        #expect(m.partitions.map(\.partition) == [0, 1, 2])
        #expect(m.partitions.map(\.nextOffset) == [10, 25, 30], "the later state of partition 1")
        #expect(m.partitions[1].files == ["b.in.1.0.state"])
    }

    @Test func aPartitionHeldButNeverReadCountsAsCovered() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-unread-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected: Set<Savepoint.TopicPartitionKey> = [.init(topic: "in", partition: 0), .init(topic: "in", partition: 1)]
        let op = SavepointOperation(requestID: "r", job: "clicks", directory: dir, requestedAtMs: JobManager.nowMs(), expected: expected)
        let part = manifest([(0, 10)], instance: "a").replacingOccurrences(
            of: "\"partitions\":", with: "\"unreadPartitions\":[{\"topic\":\"in\",\"partition\":1}],\"partitions\":")
        try part.write(toFile: dir + "/_part-a.json", atomically: true, encoding: .utf8)
        #expect(op.status(nowMs: JobManager.nowMs()) == .completed(location: dir), "partition 1 had no record: nothing to save")
        let m = try JSONDecoder().decode(Savepoint.Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/_manifest.json")))
        #expect(m.partitions.map(\.partition) == [0])
        #expect(m.unreadPartitions == [Savepoint.PartitionRef(topic: "in", partition: 1)])
    }

    @Test func aFailedPartOrATimeoutFailsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-fail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected: Set<Savepoint.TopicPartitionKey> = [.init(topic: "in", partition: 0)]
        let old = SavepointOperation(requestID: "r", job: "clicks", directory: dir, requestedAtMs: 0, expected: expected)
        guard case .failed(let cause) = old.status(nowMs: SavepointOperation.timeoutMs + 1) else { Issue.record("not failed"); return }
        #expect(cause.contains("0 part(s) hold 0 of 1 partitions"))
        try "instance b: disk full".write(toFile: dir + "/_failed-b", atomically: true, encoding: .utf8)
        let fresh = SavepointOperation(requestID: "r", job: "clicks", directory: dir, requestedAtMs: JobManager.nowMs(), expected: expected)
        #expect(fresh.status(nowMs: JobManager.nowMs()) == .failed(cause: "instance b: disk full"))
    }
}

struct SavepointPathsTests {
    @Test func targetsStayUnderTheRoot() throws {
        let paths = SavepointPaths(root: "/srv/weir/savepoints/")
        #expect(try paths.resolve(nil) == "/srv/weir/savepoints")
        #expect(try paths.resolve("") == "/srv/weir/savepoints")
        #expect(try paths.resolve("nightly/a") == "/srv/weir/savepoints/nightly/a")
        #expect(try paths.resolve("/srv/weir/savepoints/x") == "/srv/weir/savepoints/x")
        #expect(try paths.resolve("./x//y/") == "/srv/weir/savepoints/x/y")
        for bad in ["../x", "a/../../b", "/etc", "/srv/weir/savepoints-other", "/srv/weir/savepoints/../x", "a\u{0}b"] {
            #expect(throws: SavepointPaths.Refused.self, "\(bad)") { try paths.resolve(bad) }
        }
        #expect(SavepointPaths.location(in: "/r", jobID: "0123456789abcdef0123456789abcdef", requestID: "ffeeddccbbaa99887766")
                == "/r/savepoint-012345-ffeeddccbbaa")
    }
}

struct JobsTopicRecordTests {
    @Test func recordsRoundTripAndStrangersAreRefused() throws {
        let d = JobDefinition(name: "a/b", pipeline: "x: 1", origin: "rest", state: .stopped, parallelism: 2, savepointPath: "/s",
                              stop: .init(requestID: "r", directory: "/d", drain: true), updatedAt: 5)
        let job = JobsTopicRecord.job(d)
        #expect(job.key == "job/a/b")
        #expect(try JobsTopicRecord.decode(key: job.key, value: try job.value()) == job)
        let sp = JobsTopicRecord.savepoint(.init(requestID: "r9", job: "a", directory: "/d", cancelJob: false, requestedAt: 7))
        #expect(sp.key == "savepoint/r9")
        #expect(try JobsTopicRecord.decode(key: sp.key, value: try sp.value()) == sp)
        #expect(try JobsTopicRecord.decode(key: "job/x", value: nil) == .deleted(key: "job/x"))
        #expect(throws: JobsTopicRecord.Undecodable.self) { try JobsTopicRecord.decode(key: "job/x", value: Array("{".utf8)) }
        #expect(throws: JobsTopicRecord.Undecodable.self) { try JobsTopicRecord.decode(key: "other/x", value: Array("{}".utf8)) }
    }
}

/// Heartbeats in the jobs topic: how any instance knows the service group's instances.
struct InstanceHeartbeatTests {
    func manager(interval: Duration = .seconds(10)) -> JobManager {
        JobManager(store: LocalJobStore(), factory: JobManagerTests.Factory(), instanceID: "a", version: "9.9",
                   heartbeatInterval: interval, logger: Logger(label: "test"))
    }

    @Test func anInstanceHeardWithinThreeIntervalsCountsAndOneSilentLongerDoesNot() {
        let m = manager()
        let now: Int64 = 1_000_000
        m.apply(.instance(.init(instance: "b", startedMs: 1, heartbeatMs: now - 29_000, version: "9.9")), live: true)
        m.apply(.instance(.init(instance: "c", startedMs: 1, heartbeatMs: now - 31_000, version: "9.8")), live: false)
        #expect(m.instances(nowMs: now).map(\.instance) == ["a", "b"], "c was last heard 31 s ago (> 3 × 10 s); a is this one")
        m.apply(.instance(.init(instance: "c", startedMs: 1, heartbeatMs: now - 1_000, version: "9.8")), live: true)
        #expect(m.instances(nowMs: now).map(\.instance) == ["a", "b", "c"])
        m.apply(.deleted(key: "instance/b"), live: true)
        #expect(m.instances(nowMs: now).map(\.instance) == ["a", "c"])
        #expect(m.instances(nowMs: now).first?.version == "9.9")
    }

    @Test func theManagerWritesItsHeartbeatEveryInterval() async throws {
        let store = LocalJobStore()
        let m = JobManager(store: store, factory: JobManagerTests.Factory(), instanceID: "a", version: "1",
                           heartbeatInterval: .milliseconds(50), logger: Logger(label: "test"))
        let run = Task { try await m.run() }
        var beats = 0
        for _ in 0..<100 where beats < 3 {
            try await Task.sleep(for: .milliseconds(20))
            beats = try await store.catchUp().filter { if case .instance(let h) = $0 { h.instance == "a" } else { false } }.count
        }
        #expect(beats >= 3, "a heartbeat every 50 ms")
        run.cancel()
        _ = try? await run.value
    }

    @Test func heartbeatsRoundTripThroughTheTopicRecord() throws {
        let r = JobsTopicRecord.instance(.init(instance: "pod-1", startedMs: 5, heartbeatMs: 9, version: "0.5.0"))
        #expect(r.key == "instance/pod-1")
        #expect(try JobsTopicRecord.decode(key: r.key, value: try r.value()) == r)
    }
}
