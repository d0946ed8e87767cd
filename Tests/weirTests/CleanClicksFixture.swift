import Foundation
import XCTest

/// Generated click events for `pipelines/clean-clicks.yaml` and the output that
/// pipeline must produce, computed here independently of the expression engine.
/// Shared by the end-to-end and the fault-injection tests.
struct ClickEvent {
    var id: Int, user: String, event: String, host: String?, durationMs: Int, cents: Int, amountIsString: Bool, malformed: Bool

    var json: String {
        if malformed { return "{\"id\":\(id),\"event\":\"click\",\"user_id\":\"\(user)\",\"amount\":" }
        let page = host.map { ",\"page\":{\"url\":\"https://x/\(id)\",\"host\":\"\($0)\"}" } ?? ""
        let amount = amountIsString ? "\"\(cents / 100).\(String(format: "%02d", cents % 100))\"" : "\(cents / 100).\(String(format: "%02d", cents % 100))"
        return "{\"id\":\(id),\"event\":\"\(event)\",\"user_id\":\"\(user)\"\(page),\"duration_ms\":\(durationMs),\"amount\":\(amount),\"debug\":{\"n\":[1,2,{\"x\":null}]}}"
    }

    /// (message key, value) as produced to the input topic: keyed by user.
    var record: (String, [UInt8]) { (user, Array(json.utf8)) }

    /// `n` events with ids `firstID..<firstID + n`: mostly clicks, some views and
    /// scrolls, some without a page, negative durations, string amounts (a type
    /// error: dead letter) and truncated JSON (a decode error: dead letter).
    static func generate(_ n: Int, firstID: Int = 0) -> [ClickEvent] {
        var rng = SystemRandomNumberGenerator()
        let hosts = ["Shop.Example", "shop.example", "BLOG.Example", "ÄPFEL.example"]
        return (firstID..<firstID + n).map { i in
            ClickEvent(id: i, user: "u\(Int.random(in: 0..<500, using: &rng))",
                       event: ["click", "click", "click", "view", "scroll"].randomElement(using: &rng) ?? "click",
                       host: Int.random(in: 0..<20, using: &rng) == 0 ? nil : hosts.randomElement(using: &rng),
                       durationMs: Int.random(in: 0..<20, using: &rng) == 0 ? -5 : Int.random(in: 0..<60_000, using: &rng),
                       cents: Int.random(in: 1...99_999, using: &rng),
                       amountIsString: Int.random(in: 0..<100, using: &rng) == 0,
                       malformed: Int.random(in: 0..<100, using: &rng) == 0)
        }
    }
}

/// What clean-clicks must write for a set of events: output objects by id, and
/// the ids that must be dead-lettered.
struct CleanClicksExpectation {
    var output: [Int: [String: Any]] = [:]
    var deadLetters = Set<Int>()

    init(_ events: [ClickEvent]) {
        for e in events {
            if e.malformed { deadLetters.insert(e.id); continue }
            guard e.event == "click" && e.durationMs >= 0 else { continue }
            if e.amountIsString { deadLetters.insert(e.id); continue }   // string * number is a type error
            var o: [String: Any] = ["id": e.id, "event": e.event, "user": e.user, "duration_ms": e.durationMs,
                                    "amount": Double(e.cents) / 100,
                                    "amount_cents": Double(e.cents), "seconds": Double(e.durationMs) / 1000.0]
            o["host"] = e.host.map { $0.lowercased() } ?? NSNull()
            output[e.id] = o
        }
    }

    /// What a read of the output (or dead-letter) topic held, after checking it.
    struct Outcome {
        /// Records read, distinct ids among them, and records beyond the first of each id.
        var records = 0, distinct = 0, duplicates = 0
        /// Expected records not found.
        var missing = 0
    }

    /// Checks the output topic's records: every expected record present with the
    /// expected fields and key, nothing unexpected, and every repeated id an
    /// identical re-emit (same key, same bytes). `allowDuplicates: false` also
    /// fails on any repeat.
    @discardableResult
    func checkOutput(_ records: [ReadRecord], allowDuplicates: Bool,
                     file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        var first: [Int: ReadRecord] = [:]
        var outcome = Outcome(records: records.count)
        var unexpected: [Int] = [], differing: [Int] = []
        for r in records {
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(r.value))) as? [String: Any],
                  let id = obj["id"] as? Int else {
                XCTFail("output is not a JSON object with an id: \(String(decoding: r.value, as: UTF8.self))", file: file, line: line)
                continue
            }
            if let seen = first[id] {
                outcome.duplicates += 1
                if seen.value != r.value || seen.key != r.key { differing.append(id) }
                continue
            }
            first[id] = r
            guard let want = output[id] else { unexpected.append(id); continue }
            XCTAssertEqual(Set(obj.keys), Set(want.keys), "fields of \(id)", file: file, line: line)
            XCTAssertEqual(r.key, want["user"] as? String, "key of \(id) is the user", file: file, line: line)
            for (k, v) in want where !equalJSON(obj[k], v) {
                XCTFail("field \(k) of \(id): got \(String(describing: obj[k])), want \(v)", file: file, line: line)
            }
        }
        outcome.distinct = first.count
        let missing = output.keys.filter { first[$0] == nil }.sorted()
        outcome.missing = missing.count
        XCTAssertEqual(missing.count, 0, "\(missing.count) expected records missing, e.g. \(missing.prefix(10))", file: file, line: line)
        XCTAssertEqual(unexpected.count, 0, "\(unexpected.count) unexpected records, e.g. \(unexpected.prefix(10))", file: file, line: line)
        XCTAssertEqual(differing.count, 0, "duplicates that are not identical re-emits: \(differing.prefix(10))", file: file, line: line)
        if !allowDuplicates {
            XCTAssertEqual(outcome.duplicates, 0, "records emitted twice", file: file, line: line)
        }
        return outcome
    }

    /// Checks the dead-letter topic: exactly the expected ids (original bytes
    /// kept, provenance headers set); repeats must be identical.
    @discardableResult
    func checkDeadLetters(_ records: [ReadRecord], pipeline: String, sourceTopic: String, allowDuplicates: Bool,
                          file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        var first: [Int: ReadRecord] = [:]
        var outcome = Outcome(records: records.count)
        var unexpected: [Int] = [], differing: [Int] = []
        for r in records {
            XCTAssertEqual(r.headers["weir.pipeline"], pipeline, file: file, line: line)
            XCTAssertEqual(r.headers["weir.source.topic"], sourceTopic, file: file, line: line)
            XCTAssertNotNil(r.headers["weir.source.offset"].flatMap(Int64.init), file: file, line: line)
            XCTAssertFalse((r.headers["weir.error.message"] ?? "").isEmpty, file: file, line: line)
            let cls = r.headers["weir.error.class"]
            XCTAssertTrue(cls == "decode" || cls == "expression", "class \(cls ?? "nil")", file: file, line: line)
            // The original bytes are kept: the id is the first member.
            let text = String(decoding: r.value, as: UTF8.self)
            let id = Int(text.split(separator: ",").first?.split(separator: ":").last.map(String.init) ?? "") ?? -1
            if let seen = first[id] {
                outcome.duplicates += 1
                if seen.value != r.value || seen.key != r.key || seen.headers != r.headers { differing.append(id) }
                continue
            }
            first[id] = r
            if !deadLetters.contains(id) { unexpected.append(id) }
        }
        outcome.distinct = first.count
        let missing = deadLetters.filter { first[$0] == nil }.sorted()
        XCTAssertEqual(missing.count, 0, "\(missing.count) dead letters missing, e.g. \(missing.prefix(10))", file: file, line: line)
        XCTAssertEqual(unexpected.count, 0, "unexpected dead letters: \(unexpected.prefix(10))", file: file, line: line)
        XCTAssertEqual(differing.count, 0, "dead-letter duplicates that are not identical: \(differing.prefix(10))", file: file, line: line)
        if !allowDuplicates {
            XCTAssertEqual(outcome.duplicates, 0, "dead letters written twice", file: file, line: line)
        }
        return outcome
    }
}

/// JSON values as JSONSerialization returns them, against expected Swift values.
func equalJSON(_ a: Any?, _ b: Any) -> Bool {
    switch (a, b) {
    case (is NSNull, is NSNull): return true
    case (let x as NSNumber, let y as Int): return x.doubleValue == Double(y)
    case (let x as NSNumber, let y as Double): return x.doubleValue == y
    case (let x as String, let y as String): return x == y
    default: return false
    }
}
