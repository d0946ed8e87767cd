import Foundation
import XCTest
import WeirKafka
@testable import WeirEngine

/// The two pieces of an overlapped checkpoint commit: output held while the
/// commit runs (in order, bytes intact, reusable without growing), and the
/// worker thread that runs one commit at a time and reports its outcome.
final class CommitOverlapTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testHeldOutputComesBackInOrderWithKeysTimestampsAndHeaders() {
        var held = PendingOutput()
        bytes("k1").withUnsafeBytes { k in bytes("v1").withUnsafeBytes { v in held.append(.output, key: k, value: v, timestampMs: 42) } }
        bytes("v2").withUnsafeBytes { v in held.append(.output, key: nil, value: v) }
        bytes("bad").withUnsafeBytes { v in
            held.append(.deadLetter, key: nil, value: v, headers: [KafkaHeader(name: "weir.error.class", value: bytes("decode"))])
        }
        held.append(.lateData, key: nil, value: nil)
        XCTAssertEqual(held.count, 4)
        var seen: [String] = []
        held.drain { d, k, v, ts, h in
            let key = k.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            let value = v.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            seen.append("\(d) \(key) \(value) \(ts) \(h?.first?.name ?? "-")")
        }
        XCTAssertEqual(seen, ["output k1 v1 42 -", "output - v2 -1 -", "deadLetter - bad -1 weir.error.class", "lateData - - -1 -"])
        XCTAssertTrue(held.isEmpty)
        XCTAssertEqual(held.byteCount, 0)
    }

    func testAThrowingDrainKeepsWhatIsHeld() {
        struct Boom: Error {}
        var held = PendingOutput()
        bytes("v").withUnsafeBytes { v in held.append(.output, key: nil, value: v) }
        XCTAssertThrowsError(try held.drain { _, _, _, _, _ in throw Boom() })
        XCTAssertEqual(held.count, 1, "a failed replay must not lose output")
        held.removeAll()
        XCTAssertTrue(held.isEmpty)
    }

    func testWorkerRunsOneCommitAtATimeAndReportsItsOutcome() {
        struct Failed: Error, Equatable {}
        let worker = CommitWorker(name: "test-commit")
        defer { worker.shutdown() }
        XCTAssertNil(worker.poll(), "nothing running")
        XCTAssertNil(worker.wait(), "nothing running")

        let release = DispatchSemaphore(value: 0)
        let ran = Atomic(0)
        XCTAssertTrue(worker.start { release.wait(); ran.add(1) })
        XCTAssertTrue(worker.busy)
        XCTAssertFalse(worker.start { ran.add(100) }, "a second commit is refused while one runs")
        XCTAssertNil(worker.poll(), "still running")
        release.signal()
        guard case .success = worker.wait() else { return XCTFail("the commit succeeded") }
        XCTAssertFalse(worker.busy)
        XCTAssertEqual(ran.value, 1)

        XCTAssertTrue(worker.start { throw Failed() })
        var outcome: Result<Void, Error>?
        let deadline = Date().addingTimeInterval(5)
        while outcome == nil && Date() < deadline { outcome = worker.poll(); usleep(1000) }
        guard case .failure(let e)? = outcome else { return XCTFail("the failure is reported") }
        XCTAssertTrue(e is Failed)
        XCTAssertFalse(worker.busy)
    }
}

/// A counter the worker thread and the test thread share.
private final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var n: Int
    init(_ n: Int) { self.n = n }
    func add(_ d: Int) { lock.lock(); n += d; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
