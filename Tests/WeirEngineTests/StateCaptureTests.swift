import Foundation
import XCTest
import WeirFormats
@testable import WeirEngine

/// A checkpoint captures each partition's state on the task thread and writes
/// it out on the commit worker while the task goes on: what is written must be
/// the state at the capture, whatever the task does to its state meanwhile.
final class StateCaptureTests: XCTestCase {
    /// slots: 0 key, 1 int value, 2 text. Every kind of side state but custom aggregates.
    func makeOp(custom: Bool = false) throws -> WindowOperator {
        var aggregates: [AggregateSpec] = [.count(as: "n"), .sum(1, as: "sum"), .avg(1, as: "avg"), .min(1, as: "min"),
                                           .first(2, as: "first"), .last(2, as: "last"), .countDistinct(2, as: "distinct"),
                                           .collect(2, maxSize: 4, as: "list")]
        if custom { aggregates.append(.custom(SpreadAggregator(slot: 1), as: "spread")) }
        return try WindowOperator(.init(keyFields: [.init(name: "k", slot: 0)], window: .tumbling(sizeMs: 1_000),
                                        allowedLatenessMs: 0, aggregates: aggregates))
    }

    /// Events over many keys and windows; `from` shifts time so later batches
    /// fire and purge the earlier windows (keys freed, arenas compacted).
    func feed(_ o: WindowOperator, _ c: inout Collector, count: Int, seed: UInt64, from t0: Int64) {
        var g = seed
        func next() -> UInt64 { g = g &* 6364136223846793005 &+ 1442695040888963407; return g >> 33 }
        var t = t0
        for i in 0..<count {
            t += Int64(next() % 5)
            do {
                try o.feed(["user-\(next() % 3_000)", Int(next() % 1000) - 500, "text-\(next() % 50)"],
                           ts: t, partition: Int(next() % 3), &c)
            } catch { XCTFail("\(error)") }
            if i % 100 == 99 { o.onWatermark(t - 2_000, output: &c) }
        }
        _ = c.take()
    }

    func testCaptureWritesTheStateAsItWasWhateverHappensAfter() throws {
        let o = try makeOp()
        var c = Collector(o)
        feed(o, &c, count: 20_000, seed: 1, from: 1_000)
        let expected = o.partitions.map { o.snapshot(partition: $0) }
        let captures = o.partitions.map { o.captureState(partition: $0) }
        XCTAssertTrue(captures.allSatisfy(\.isDeferred), "window state is copied, written later")
        XCTAssertTrue(expected.allSatisfy { $0.count > 10_000 }, "a state worth checking")
        // The state moves on: new keys and windows, fired and purged windows, compactions.
        feed(o, &c, count: 40_000, seed: 2, from: 30_000)
        XCTAssertNotEqual(o.partitions.map { o.snapshot(partition: $0) }, expected, "the state did change")
        for (capture, bytes) in zip(captures, expected) {
            XCTAssertEqual(capture.chunks(maxChunkBytes: .max), [bytes])
            XCTAssertEqual(capture.chunks(maxChunkBytes: 4_000), try StateSnapshot.split(bytes, maxChunkBytes: 4_000))
        }
    }

    func testCaptureIsWrittenOnAnotherThreadWhileTheTaskGoesOn() throws {
        let o = try makeOp()
        var c = Collector(o)
        for round in 0..<5 {
            feed(o, &c, count: 10_000, seed: UInt64(10 + round), from: Int64(round) * 50_000)
            let expected = o.partitions.map { o.snapshot(partition: $0) }
            let captures = o.partitions.map { o.captureState(partition: $0) }
            let written = WrittenBox()
            let done = DispatchSemaphore(value: 0)
            Thread {
                written.chunks = captures.map { $0.chunks(maxChunkBytes: .max) }
                done.signal()
            }.start()
            feed(o, &c, count: 10_000, seed: UInt64(100 + round), from: Int64(round) * 50_000 + 25_000)
            done.wait()
            XCTAssertEqual(written.chunks, expected.map { [$0] }, "round \(round)")
        }
    }

    /// Custom aggregates hold the user's accumulator types, which may share
    /// references: their state is written at the capture, on the task thread.
    func testCustomAggregatesAreWrittenAtTheCapture() throws {
        let o = try makeOp(custom: true)
        var c = Collector(o)
        feed(o, &c, count: 5_000, seed: 3, from: 1_000)
        let p = try XCTUnwrap(o.partitions.first)
        let expected = o.snapshot(partition: p)
        let capture = o.captureState(partition: p)
        XCTAssertFalse(capture.isDeferred)
        feed(o, &c, count: 5_000, seed: 4, from: 20_000)
        XCTAssertEqual(capture.chunks(maxChunkBytes: .max), [expected])
    }

    /// Halfway to a checkpoint the copy's memory is mapped off the task thread
    /// where it is short (a state's first copy: a spare per partition); captures
    /// stay exact whether the warm-up ran before, runs during (the spare is then
    /// not reused) or never runs.
    func testWarmUpReadiesTheFirstCopyOnceAndCapturesStayExact() throws {
        let o = try makeOp()
        var c = Collector(o)
        XCTAssertTrue(o.captureWarmUps().isEmpty, "no state yet: nothing to size a copy by")
        feed(o, &c, count: 20_000, seed: 7, from: 1_000)
        let warmUps = o.captureWarmUps()
        XCTAssertEqual(warmUps.count, o.partitions.count, "one per partition's state")
        XCTAssertTrue(o.captureWarmUps().isEmpty, "once: the spares exist now")
        // The warm-up has not run yet and holds its spare: the capture must not use it.
        var expected = o.partitions.map { o.snapshot(partition: $0) }
        var captures = o.partitions.map { o.captureState(partition: $0) }
        let done = DispatchSemaphore(value: 0)
        Thread { for w in warmUps { w() }; done.signal() }.start()
        feed(o, &c, count: 10_000, seed: 8, from: 30_000)
        done.wait()
        XCTAssertEqual(captures.map { $0.chunks(maxChunkBytes: .max) }, expected.map { [$0] })
        // Warmed before the capture (a new operator, the usual order).
        let w = try makeOp()
        var cw = Collector(w)
        feed(w, &cw, count: 20_000, seed: 9, from: 1_000)
        for work in w.captureWarmUps() { work() }
        XCTAssertTrue(w.captureWarmUps().isEmpty, "the spares have room for the state grown by half")
        feed(w, &cw, count: 20_000, seed: 10, from: 1_000)
        expected = w.partitions.map { w.snapshot(partition: $0) }
        captures = w.partitions.map { w.captureState(partition: $0) }
        feed(w, &cw, count: 10_000, seed: 11, from: 30_000)
        XCTAssertEqual(captures.map { $0.chunks(maxChunkBytes: .max) }, expected.map { [$0] })
        // Custom aggregates are written at the capture: no copy to warm.
        let custom = try makeOp(custom: true)
        var cc = Collector(custom)
        feed(custom, &cc, count: 2_000, seed: 12, from: 1_000)
        XCTAssertTrue(custom.captureWarmUps().isEmpty)
    }

    /// A restore from what a capture wrote continues exactly as the operator it was taken from.
    func testRestoreFromACaptureContinuesAsTheOriginal() throws {
        let a = try makeOp(), b = try makeOp()
        var ca = Collector(a), cb = Collector(b)
        feed(a, &ca, count: 15_000, seed: 5, from: 1_000)
        let captures = a.partitions.map { ($0, a.captureState(partition: $0)) }
        let wm = a.currentTime
        for (p, capture) in captures { try b.restore(partition: p, chunks: capture.chunks(maxChunkBytes: 2_000)) }
        b.onWatermark(wm, output: &cb)
        _ = cb.take()
        feed(a, &ca, count: 5_000, seed: 6, from: 20_000)
        feed(b, &cb, count: 5_000, seed: 6, from: 20_000)
        a.flush(output: &ca); b.flush(output: &cb)
        XCTAssertEqual(ca.take().map(\.description), cb.take().map(\.description))
    }
}

private final class WrittenBox: @unchecked Sendable { var chunks: [[[UInt8]]] = [] }
