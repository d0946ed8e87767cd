import WeirEngine
import WeirKafka
import WeirPipelines

/// Runs one case: a fresh driver over the file's pipeline, the steps in
/// order, and at every `expect` (and at the end) a comparison of what came
/// out since the last one.
struct CaseRunner {
    let file: TestFile
    let testCase: TestCase

    func run() -> CaseResult {
        let start = ContinuousClock.now
        var result = CaseResult(name: testCase.name, location: place(testCase.location), outcome: .passed, seconds: 0)
        var failures: [CheckFailure] = []
        do {
            let driver = try PipelineTestDriver(
                jobs: file.pipeline.jobs,
                options: .init(partitions: testCase.partitions, clockStartMs: testCase.clockStartMs))
            let encoder = InputEncoder(driver: driver)
            for step in testCase.steps {
                do {
                    switch step.kind {
                    case .input(let records):
                        for r in records {
                            do { try driver.push(batch: [encoder.record(r)]) } catch {
                                throw StepError(location: r.location, message: "\(error)")   // the record, not its list
                            }
                        }
                    case .batch(let records):
                        try driver.push(batch: records.map { try encoder.record($0) })
                    case .advanceWatermark(let ms, let partition, let topic):
                        try driver.advanceWatermark(to: ms, partition: partition, topic: topic)
                    case .idle(let partitions, let topic):
                        for p in partitions { try driver.markIdle(partition: p, topic: topic) }
                    case .advanceClock(let ms):
                        try driver.advanceClock(byMs: ms)
                    case .checkpointAndRestore:
                        try driver.checkpointAndRestore()
                    case .endOfInput:
                        try driver.endOfInput()
                    case .expect(let e):
                        let (failure, seen) = check(e, driver)
                        if let failure { failures.append(failure) }
                        result.observed.append(seen)
                    }
                } catch let e as StepError {
                    throw e
                } catch {
                    throw StepError(location: step.location, message: "\(error)")
                }
            }
            // A file job's input ends with its files: `weir run` then fires every open window.
            if driver.readsFiles { try driver.endOfInput() }
            let (failure, seen) = check(testCase.expect, driver)
            if let failure { failures.append(failure) }
            result.observed.append(seen)
            result.outcome = failures.isEmpty ? .passed : .failed(failures)
        } catch let e as StepError {
            result.outcome = .error("\(place(e.location)): \(e.message)")
        } catch {
            result.outcome = .error("\(error)")
        }
        let d = ContinuousClock.now - start
        result.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return result
    }

    /// Compares what came out since the last check with `e`, and forgets it.
    private func check(_ e: Expectation, _ driver: PipelineTestDriver) -> (CheckFailure?, Observation) {
        let output = driver.takeOutputs().map { ActualRecord($0, driver: driver) }
        let rejected = driver.takeRejected()
        let dead = rejected.deadLetters.map { ActualRecord($0, driver: driver) }
        let late = rejected.late.map { ActualRecord($0, driver: driver) }
        let timedOut = driver.takeTimedOut().map { ActualRecord($0, driver: driver) }
        var mismatches: [ListMismatch] = []
        func records(_ name: String, _ expected: [ExpectedRecord], _ actual: [ActualRecord]) {
            if let m = ListDiff.compare(name, expected: expected, actual: actual, anyOrder: e.anyOrder,
                                        differ: { $0.difference(from: $1, tolerance: e.tolerance) },
                                        showE: \.shown, showA: \.shown) { mismatches.append(m) }
        }
        records("output", e.output, output)
        records("deadLetters", e.deadLetters, dead)
        records("late", e.late, late)
        records("timedOut", e.timedOut, timedOut)
        var states: [[TestValue]]?
        if let expectedStates = e.state {
            var found: [[TestValue]] = []
            for s in expectedStates {
                let entries = driver.queryState(key: s.key).map(Self.entryValue)
                found.append(entries)
                if let m = ListDiff.compare("state of key \(s.keyValue.flow)", expected: s.entries, actual: entries, anyOrder: true,
                                            differ: { ValueComparison.difference($0, $1, at: "entry", tolerance: e.tolerance) },
                                            showE: \.flow, showA: \.flow) { mismatches.append(m) }
            }
            states = found
        }
        let seen = Observation(expectation: e, caseLayout: testCase.layout,
                               output: output.map { $0.expectedForm(includeMessage: false) },
                               deadLetters: dead.map { $0.expectedForm(includeMessage: true) },
                               late: late.map { $0.expectedForm(includeMessage: false) },
                               timedOut: timedOut.map { $0.expectedForm(includeMessage: false) },
                               state: states, differing: Set(mismatches.map { $0.list.hasPrefix("state") ? "state" : $0.list }))
        guard !mismatches.isEmpty else { return (nil, seen) }
        return (CheckFailure(location: e.location.map(place) ?? "\(place(testCase.location)) (the end of the case: nothing more may come out)",
                             mismatches: mismatches), seen)
    }

    /// A state entry as the test file writes one: its fields in order.
    static func entryValue(_ entry: StateEntry) -> TestValue {
        .object(entry.fields.map { f in
            let v: TestValue
            switch f.value {
            case .null: v = .null
            case .bool(let b): v = .bool(b)
            case .int(let i): v = .number(TestNumber(i))
            case .double(let d): v = TestNumber(ShortDouble.text(d)).map(TestValue.number) ?? .null
            case .string(let s): v = .string(s)
            case .json(let s): v = JSONText.parse(s) ?? .string(s)
            }
            return .init(f.name, v)
        })
    }

    private func place(_ l: SourceLocation) -> String { "\(l.file):\(l.line):\(l.column)" }
}

/// A step the driver refused, with where it is written.
struct StepError: Error {
    var location: SourceLocation
    var message: String
}

/// Input records as the source reads them: JSON text, or Confluent-framed
/// Avro with the record's writer schema (registered under `<topic>-value`).
struct InputEncoder {
    let driver: PipelineTestDriver

    func record(_ r: InputRecord) throws -> TestRecord {
        let topic = r.topic ?? driver.sourceTopics.first ?? ""
        let value: [UInt8]?
        switch r.value {
        case .none: value = nil
        case .raw(let text): value = Array(text.utf8)
        case .structured(let v):
            if let schema = r.avroSchema {
                value = try driver.avro(v.jsonValue, schema: schema, subject: "\(topic)-value")
            } else {
                value = Array(v.json.utf8)
            }
        }
        return TestRecord(topic: topic, partition: r.partition, key: r.key, value: value,
                          headers: r.headers.map { KafkaHeader(name: $0.name, value: Array($0.value.utf8)) },
                          timestampMs: r.timestampMs ?? driver.clock.now)
    }
}

/// Doubles as JSON prints them (shortest text that reads back the same).
enum ShortDouble {
    static func text(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }
}
