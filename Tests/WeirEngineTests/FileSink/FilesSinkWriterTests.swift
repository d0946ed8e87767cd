import Foundation
import XCTest
import WeirFormats
@testable import WeirEngine

/// Reads one column of the output row (what a compiled `partitionBy: [country]` is).
private final class ColumnExpression: RowExpression {
    let slot: Int
    init(_ slot: Int) { self.slot = slot }
    func evaluate(_ row: inout Row) throws(EvalError) -> Cell { row.cells[slot] }
}

/// The files sink's protocol on a real directory: nothing is visible before
/// its checkpoint commits; a restore completes the renames its marker lists
/// and deletes every other staged file of the partition, whichever task or
/// run left it; files are per input partition.
final class FilesSinkWriterTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-files-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func spec(_ format: FilesSinkSpec.Format = .json) -> FilesSinkSpec {
        var s = FilesSinkSpec(path: dir.path + "/lake/", format: format,
                              columns: [.init("user", .string), .init("country", .string), .init("n", .int64)],
                              partitionBy: [.init(name: "country", expression: ColumnExpression(1))])
        // The pipeline's row has its own layout (slot 1 is something else): the sink picks its columns out.
        s.sourceSlots = [3, 0, 2]
        return s
    }

    private func write(_ w: FilesSinkWriter, _ json: String, partition: Int) throws {
        try w.write(json: json, partition: partition)
    }

    /// Visible files, relative to the lake, sorted.
    private func visible() throws -> [String] {
        let lake = dir.appendingPathComponent("lake")
        guard let e = FileManager.default.enumerator(atPath: lake.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { !$0.hasPrefix(".weir-staging") && ($0.hasSuffix(".jsonl") || $0.hasSuffix(".parquet")) }.sorted()
    }

    private func staged() throws -> [String] {
        let s = dir.appendingPathComponent("lake/.weir-staging/job")
        return ((try? FileManager.default.contentsOfDirectory(atPath: s.path)) ?? []).sorted()
    }

    private func lines(_ rel: String) throws -> [String] {
        try String(contentsOf: dir.appendingPathComponent("lake/" + rel), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testNothingIsVisibleBeforeTheCheckpointCommits() throws {
        let w = try FilesSinkWriter(spec: spec(), job: "job", instance: "i1", slot: 0, run: 1)
        try write(w, #"{"user":"a","country":"DE","n":1}"#, partition: 0)
        try write(w, #"{"user":"b","country":"FR","n":2}"#, partition: 0)
        try write(w, #"{"user":"c","country":"DE","n":3}"#, partition: 1)
        XCTAssertEqual(w.openFileCount, 3, "one file per (input partition, directory)")
        XCTAssertEqual(try staged().filter { $0.hasSuffix(".inprogress") }.count, 3)
        let lists = try w.prepareCheckpoint(100)
        XCTAssertEqual(lists[0]?.count, 2)
        XCTAssertEqual(lists[1], ["country=DE/part-job-i1-0-100-2.jsonl"])
        XCTAssertEqual(try visible(), [], "pending files are hidden")
        XCTAssertEqual(try staged().filter { $0.hasSuffix(".pending") }.count, 3)
        try w.commit(100)
        XCTAssertEqual(try visible(), ["country=DE/part-job-i1-0-100-0.jsonl", "country=DE/part-job-i1-0-100-2.jsonl",
                                       "country=FR/part-job-i1-0-100-1.jsonl"])
        XCTAssertEqual(try staged(), [])
        XCTAssertEqual(try lines("country=FR/part-job-i1-0-100-1.jsonl"), [#"{"user":"b","country":"FR","n":2}"#])
    }

    func testRestoreCompletesCommittedRenamesAndDeletesTheRest() throws {
        // A task wrote checkpoint 200 (committed, renames not done: it was killed),
        // then rows of the next interval (in progress) and checkpoint 201 (pending, never committed).
        let dead = try FilesSinkWriter(spec: spec(), job: "job", instance: "i1", slot: 0, run: 1)
        try write(dead, #"{"user":"a","country":"DE","n":1}"#, partition: 0)
        try write(dead, #"{"user":"b","country":"FR","n":2}"#, partition: 1)
        let committed = try dead.prepareCheckpoint(200)
        try write(dead, #"{"user":"c","country":"DE","n":3}"#, partition: 0)
        _ = try dead.prepareCheckpoint(201)
        try write(dead, #"{"user":"d","country":"DE","n":4}"#, partition: 0)
        try write(dead, #"{"user":"e","country":"IT","n":5}"#, partition: 1)
        XCTAssertEqual(try visible(), [])

        // Partition 0 is restored by another task from marker 200; partition 1 too.
        let heir = try FilesSinkWriter(spec: spec(), job: "job", instance: "i2", slot: 1, run: 2)
        XCTAssertEqual(try heir.recover(partition: 0, files: committed[0] ?? []), [])
        XCTAssertEqual(try heir.recover(partition: 0, files: committed[0] ?? []), [], "idempotent")
        XCTAssertEqual(try heir.cleanup(partition: 0), 2, "201's pending file and the in-progress one")
        XCTAssertEqual(try visible(), ["country=DE/part-job-i1-0-200-0.jsonl"])
        XCTAssertEqual(try staged().filter { $0.hasPrefix(".p0.") }, [])
        XCTAssertEqual(try staged().filter { $0.hasPrefix(".p1.") }.count, 2, "partition 1's files are its own restore's business")
        _ = try heir.recover(partition: 1, files: committed[1] ?? [])
        XCTAssertEqual(try heir.cleanup(partition: 1), 1)
        XCTAssertEqual(try visible(), ["country=DE/part-job-i1-0-200-0.jsonl", "country=FR/part-job-i1-0-200-1.jsonl"])
        XCTAssertEqual(try staged(), [])
        XCTAssertEqual(try lines("country=DE/part-job-i1-0-200-0.jsonl"), [#"{"user":"a","country":"DE","n":1}"#])
        dead.discardUncommitted()   // the zombie's descriptors; its files are gone already
    }

    func testAbortDeletesUncommittedFilesButKeepsPendingOnes() throws {
        let w = try FilesSinkWriter(spec: spec(), job: "job", instance: "i1", slot: 0, run: 1)
        try write(w, #"{"user":"a","country":"DE","n":1}"#, partition: 0)
        let lists = try w.prepareCheckpoint(300)
        try write(w, #"{"user":"b","country":"DE","n":2}"#, partition: 0)
        w.discardUncommitted()
        XCTAssertEqual(try staged().count, 1, "the pending file waits for a restore to decide")
        try w.commit(300)
        XCTAssertEqual(try visible(), [], "a forgotten pending file is not renamed by a later commit")
        XCTAssertEqual(try w.recover(partition: 0, files: lists[0] ?? []), [])
        XCTAssertEqual(try visible(), ["country=DE/part-job-i1-0-300-0.jsonl"])
    }

    func testRollsOnSize() throws {
        var s = spec()
        s.rollBytes = 1024
        let w = try FilesSinkWriter(spec: s, job: "job", instance: "i1", slot: 0, run: 1)
        let row = #"{"user":"a-user-with-a-long-name","country":"DE","n":1}"#
        for _ in 0..<1000 { try write(w, row, partition: 0) }
        let lists = try w.prepareCheckpoint(400)
        try w.commit(400)
        XCTAssertGreaterThan(lists[0]?.count ?? 0, 5, "rolled every 128 rows past 1 KiB")
        let total = try visible().reduce(0) { $0 + (try lines($1).count) }
        XCTAssertEqual(total, 1000)
    }

    func testRollsOnAge() throws {
        var s = spec()
        s.rollIntervalMs = 60_000
        let w = try FilesSinkWriter(spec: s, job: "job", instance: "i1", slot: 0, run: 1)
        try write(w, #"{"user":"a","country":"DE","n":1}"#, partition: 0)
        try w.rollAged(nowNanos: monotonicNanos() + 59_000_000_000)
        XCTAssertEqual(w.openFileCount, 1, "younger than the interval")
        try w.rollAged(nowNanos: monotonicNanos() + 61_000_000_000)
        XCTAssertEqual(w.openFileCount, 0, "closed at its age")
        try write(w, #"{"user":"b","country":"DE","n":2}"#, partition: 0)
        let lists = try w.prepareCheckpoint(600)
        XCTAssertEqual(lists[0]?.count, 2, "the aged file and the new one, both in the next checkpoint")
        try w.commit(600)
        XCTAssertEqual(try visible().count, 2)
    }

    func testARowThatDoesNotFitIsTheRecordsFault() throws {
        let w = try FilesSinkWriter(spec: spec(.parquet), job: "job", instance: "i1", slot: 0, run: 1)
        XCTAssertThrowsError(try write(w, #"{"user":"a","country":"DE","n":"seven"}"#, partition: 0)) { e in
            XCTAssertEqual((e as? FileSinkError)?.kind, .record)
        }
        XCTAssertThrowsError(try write(w, #"{"user":"a","country":"\#(String(repeating: "/", count: 100))","n":1}"#, partition: 0)) { e in
            XCTAssertEqual((e as? FileSinkError)?.kind, .record)
        }
        try write(w, #"{"user":"a","country":"DE","n":7}"#, partition: 0)
        let lists = try w.prepareCheckpoint(500)
        try w.commit(500)
        XCTAssertEqual(lists[0], ["country=DE/part-job-i1-0-500-0.parquet"])
        let bytes = try Data(contentsOf: dir.appendingPathComponent("lake/country=DE/part-job-i1-0-500-0.parquet"))
        XCTAssertEqual(Array(bytes.prefix(4)), Array("PAR1".utf8))
        XCTAssertEqual(Array(bytes.suffix(4)), Array("PAR1".utf8))
    }

    func testMarkersCarryTheirFiles() throws {
        let m = CheckpointMarker(checkpointID: 9, topic: "t", partition: 3, nextOffset: 10, watermark: 5, maxEventTime: nil,
                                 chunkCount: 0, files: ["dt=2026-12-07/part-j-i-0-9-0.parquet", "part-j-i-0-9-1.parquet"])
        XCTAssertEqual(m.encoded()[2], CheckpointMarker.versionWithFiles)
        XCTAssertEqual(CheckpointMarker.decode(m.encoded()), m)
        var plain = m
        plain.files = []
        XCTAssertEqual(plain.encoded()[2], CheckpointMarker.version, "without files the marker stays version 1")
        XCTAssertEqual(CheckpointMarker.decode(plain.encoded()), plain)
    }
}
