import XCTest
import WeirFormats
@testable import WeirEngine

/// The building blocks of keyed state, each against a plain model.
final class StateTablesTests: XCTestCase {
    func testByteTableAgainstDictionaryModel() {
        let t = ByteTable(initialBuckets: 16)
        var model: [[UInt8]: Int32] = [:]          // (owner byte + value) -> id
        var appended: [Int32: [UInt8]] = [:]       // unindexed entries -> bytes
        var rng = SystemRandomNumberGenerator()
        for step in 0..<60_000 {
            let owner = Int.random(in: 1...5, using: &rng)
            let len = Int.random(in: 0...40, using: &rng)
            let v = (0..<len).map { _ in UInt8.random(in: 97...100, using: &rng) }   // small alphabet: many repeats
            let key = [UInt8(owner)] + v
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let found = v.withUnsafeBytes { t.find(owner: owner, $0, hash: ByteTable.hash(owner: owner, $0)) }
                XCTAssertEqual(found, model[key] ?? -1, "step \(step)")
                if found < 0 { model[key] = v.withUnsafeBytes { t.insert(owner: owner, $0, hash: ByteTable.hash(owner: owner, $0)) } }
            case 5..<7:
                if let (k, id) = model.randomElement(using: &rng) { t.remove(id); model[k] = nil }
            case 7:
                appended[v.withUnsafeBytes { t.append(owner: owner, $0) }] = v
            case 8:
                if let (id, _) = appended.randomElement(using: &rng) {
                    v.withUnsafeBytes { t.replace(id, $0) }
                    appended[id] = v
                }
            default:
                if let (id, _) = appended.randomElement(using: &rng) { t.remove(id); appended[id] = nil }
            }
        }
        XCTAssertEqual(t.count, model.count + appended.count)
        for (k, id) in model { XCTAssertEqual(t.withBytes(id) { Array($0) }, Array(k.dropFirst())) }
        for (id, v) in appended { XCTAssertEqual(t.withBytes(id) { Array($0) }, v) }
        XCTAssertLessThan(t.arenaBytes, 2 * 65_536 + 41 * t.count * 2, "garbage is compacted")
    }

    func testTimerQueueOrder() {
        var q = TimerQueue()
        var all: [TimerQueue.Timer] = []
        for i in 0..<5000 {
            let t = TimerQueue.Timer(time: Int64.random(in: 0...100), start: Int64.random(in: 0...3),
                                     keyHash: UInt64.random(in: 0...3), window: Int32(i), generation: 0)
            q.push(t); all.append(t)
        }
        var popped: [Int32] = []
        XCTAssertNil(q.popDue(-1))
        while let t = q.popDue(50) { popped.append(t.window) }
        let expected = all.sorted(by: <).filter { $0.time <= 50 }.map(\.window)
        XCTAssertEqual(popped, expected)
        XCTAssertEqual(q.count, all.count - expected.count)
    }

    /// Timers grouped by time: few times with many timers (aligned windows),
    /// many times (sessions), pushes while a time is being handed out (earlier,
    /// equal and later than it), and reuse after removeAll. Every pop must be
    /// what a binary heap gives: the least pending timer (by time, start, key
    /// hash, window), if due.
    func testTimerQueueAgainstAModel() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<12 {
            var q = TimerQueue()
            var pending: [TimerQueue.Timer] = []
            var id: Int32 = 0
            let distinctTimes: Int64 = round % 2 == 0 ? 3 : 10_000
            func add(_ time: Int64) {
                let t = TimerQueue.Timer(time: time, start: Int64.random(in: 0...5, using: &rng),
                                         keyHash: UInt64.random(in: 0...1_000, using: &rng), window: id, generation: 0)
                id += 1
                q.push(t); pending.append(t)
            }
            for _ in 0..<600 { add(Int64.random(in: 0..<distinctTimes, using: &rng) * 7) }
            var now: Int64 = -1
            XCTAssertNil(q.popDue(now))
            var pops = 0
            while !pending.isEmpty && pops < 100_000 {
                now += Int64.random(in: 0...30, using: &rng)
                while true {
                    let least = pending.min(by: <)
                    let t = q.popDue(now)
                    guard let least, least.time <= now else { XCTAssertNil(t, "nothing due at \(now)"); break }
                    guard let t else { XCTFail("round \(round): \(least) due at \(now) but nothing popped"); return }
                    XCTAssertEqual(t.window, least.window, "round \(round), now \(now)")
                    pending.removeAll { $0.window == t.window }
                    pops += 1
                    // Pushes while handing out: in the past, at `now`, in the future.
                    if Int.random(in: 0..<50, using: &rng) == 0 { add(now - Int64.random(in: 0...3, using: &rng)) }
                    if Int.random(in: 0..<50, using: &rng) == 0 { add(now + Int64.random(in: 1...40, using: &rng)) }
                }
                XCTAssertEqual(q.count, pending.count)
                XCTAssertEqual(q.nextTime, pending.map(\.time).min())
            }
            q.removeAll()
            XCTAssertEqual(q.count, 0)
            XCTAssertNil(q.nextTime)
            add(5); add(5); add(1)
            XCTAssertEqual([q.popDue(10), q.popDue(10), q.popDue(10)].compactMap { $0?.time }, [1, 5, 5], "reused after removeAll")
        }
    }

    func testKeyEncodingRoundTripAndNumbersByValue() {
        var row = Row(slotCount: 8)
        let cells: [Cell] = [.null, .bool(true), .bool(false), .int(-5), .double(2.5), .string(row.store(Array("héllo\"".utf8))),
                             .json(row.store(Array("{\"a\":[1]}".utf8))), .double(-0.0)]
        var bytes: [UInt8] = []
        for c in cells { XCTAssertTrue(KeyEncoding.append(c, from: row, to: &bytes)) }
        XCTAssertFalse(KeyEncoding.append(.missing, from: row, to: &bytes))
        var out = Row(slotCount: 0)
        var decoded: [String] = []
        bytes.withUnsafeBytes { b in
            var p = 0
            while p < b.count { decoded.append(KeyEncoding.decode(b, at: &p, into: &out).map { render($0, out) } ?? "BAD") }
        }
        XCTAssertEqual(decoded, ["null", "true", "false", "-5", "d:2.5", "\"héllo\"\"", "{\"a\":[1]}", "0"])
        func enc(_ c: Cell) -> [UInt8] { var b: [UInt8] = []; _ = KeyEncoding.append(c, from: row, to: &b); return b }
        XCTAssertEqual(enc(.double(7.0)), enc(.int(7)))
        XCTAssertEqual(enc(.double(-0.0)), enc(.int(0)))
        XCTAssertEqual(enc(.double(.nan)), enc(.double(-.nan)))
        XCTAssertNotEqual(enc(.double(7.5)), enc(.int(7)))
        XCTAssertNotEqual(enc(.double(9.3e18)), enc(.int(Int64.max)))
        var json: [UInt8] = []
        enc(.string(row.store(Array("a\"\\\n\u{1}".utf8)))).withUnsafeBytes { b in var p = 0; _ = KeyEncoding.appendJSON(b, at: &p, to: &json) }
        XCTAssertEqual(String(decoding: json, as: UTF8.self), "\"a\\\"\\\\\\n\\u0001\"")
        var corrupt = Row(slotCount: 0)
        [UInt8(5), 200].withUnsafeBytes { b in var p = 0; XCTAssertNil(KeyEncoding.decode(b, at: &p, into: &corrupt)) }
    }

    func testExactSumOfRandomDecimalsAndMerge() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var a = [UInt64](repeating: 0, count: 12)
            var cents: [Int64] = [0, 0]
            for i in 0..<Int.random(in: 1...200, using: &rng) {
                let c = Int64.random(in: -1_000_000...1_000_000, using: &rng)
                let side = i % 2
                cents[side] += c
                ExactSum.addDouble(Double(c) / 100, &a, side * 6)
            }
            for side in 0..<2 where ExactSum.count(a, side * 6) > 0 {
                XCTAssertEqual(ExactSum.sum(a, side * 6)?.double, Double(cents[side]) / 100)
            }
            ExactSum.merge(from: 6, into: 0, &a)
            XCTAssertEqual(ExactSum.sum(a, 0)?.double, Double(cents[0] + cents[1]) / 100)
            XCTAssertEqual(ExactSum.average(a, 0), Double(cents[0] + cents[1]) / (100 * Double(ExactSum.count(a, 0))))
        }
        var ints = [UInt64](repeating: 0, count: 6)
        ExactSum.addInt(40, &ints, 0); ExactSum.addInt(2, &ints, 0)
        XCTAssertEqual(ExactSum.sum(ints, 0)?.int, 42)
        var none = [UInt64](repeating: 0, count: 6)
        XCTAssertNil(ExactSum.sum(none, 0))
        XCTAssertNil(ExactSum.average(none, 0))
        ExactSum.addDouble(1e-20, &none, 0)
        XCTAssertEqual(ExactSum.sum(none, 0)?.double, 1e-20, "not a short decimal: compensated sum")
    }
}
