import XCTest
import WeirEngine
import WeirPipelines
@testable import WeirTesting

/// Test files are refused like pipelines: every problem with file, line,
/// column and field, checked against the pipeline the file names.
final class TestFileLoaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try directory([
            "w.yaml": windowsPipeline(),
            "stateless.yaml": "name: s\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out}}\n",
            "files.yaml": "name: f\nsource: {file: {path: in.jsonl}}\ntime: {eventTime: {field: ts}}\nsteps:\n  - keyBy: [k]\n  - window: {tumbling: 1m}\n  - aggregate: {n: count()}\nsink: discard\n",
            "noidle.yaml": windowsPipeline().replacingOccurrences(of: ", idleTimeout: 30s", with: ""),
            "avro.yaml": "name: a\nsource: {kafka: {topic: in}, format: avro}\nsink: {kafka: {topic: out}}\n",
            "broken.yaml": "name: b\nsource: {kafka: {topic: in}}\nsteps:\n  - filter: \"lowr(x) == 'a'\"\nsink: {kafka: {topic: out}}\n",
        ], self)
    }

    /// Loads `yaml` as `t.test.yaml` beside the pipelines; it must be refused
    /// with this first diagnostic.
    func assertRefused(_ yaml: String, line: Int, column: Int, field: String, _ phrase: String,
                       file: StaticString = #filePath, testLine: UInt = #line) {
        let path = dir.appendingPathComponent("t.test.yaml").path
        do {
            let t = try TestFileLoader.load(yaml: yaml, file: path)
            XCTFail("expected a refusal, loaded \(t.cases.count) cases", file: file, line: testLine)
        } catch {
            guard let d = error.first else { return XCTFail("no diagnostic", file: file, line: testLine) }
            XCTAssertEqual(d.file, path, file: file, line: testLine)
            XCTAssertEqual(d.line, line, "line of: \(d)", file: file, line: testLine)
            XCTAssertEqual(d.column, column, "column of: \(d)", file: file, line: testLine)
            XCTAssertEqual(d.field, field, "field of: \(d)", file: file, line: testLine)
            XCTAssertTrue(d.message.contains(phrase), "message of \(d) lacks '\(phrase)'", file: file, line: testLine)
            XCTAssertTrue(d.description.hasPrefix("\(path):\(line):\(column): error: "), d.description, file: file, line: testLine)
        }
    }

    func load(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) throws -> TestFile {
        do { return try TestFileLoader.load(yaml: yaml, file: dir.appendingPathComponent("t.test.yaml").path) }
        catch { XCTFail("refused: \(error)", file: file, line: line); throw error }
    }

    func testAGoodFileLoadsWithItsCasesAndSteps() throws {
        let t = try load("""
        pipeline: w.yaml
        tolerance: 0.5
        cases:
          - name: one
            input:
              - {key: u1, value: {event: click, user_id: u1, ts: 1000, amount: 2.50}, partition: 1, timestamp: 2026-01-01T00:00:00Z, headers: {h: 1}}
            expect:
              order: any
              output: [{key: u1, value: {n: 1}}]
          - name: two
            partitions: 3
            clock: 1970-01-01T00:00:10Z
            steps:
              - batch: [{raw: "x"}, {}]
              - advanceWatermark: {to: 60000, partition: 2}
              - idle: [0, 1]
              - advanceClock: 1m30s
              - checkpointAndRestore
              - endOfInput
              - expect:
                  deadLetters: [{error: decode, message: JSON}]
                  state: [{key: u1, entries: [{clicks: 1}]}]
        """)
        XCTAssertTrue(t.pipelinePath.hasSuffix("/w.yaml"))
        XCTAssertEqual(t.cases.map(\.name), ["one", "two"])
        XCTAssertEqual(t.cases[0].partitions, 2, "enough for partition 1")
        XCTAssertEqual(t.cases[1].partitions, 3)
        XCTAssertEqual(t.cases[1].clockStartMs, 10_000)
        guard case .input(let records) = t.cases[0].steps.first?.kind, let r = records.first else { return XCTFail("no input step") }
        XCTAssertEqual(r.timestampMs, 1_767_225_600_000)
        XCTAssertEqual(r.key, Array("u1".utf8))
        XCTAssertEqual(r.headers.map(\.value), ["1"])
        guard case .structured(let v) = r.value else { return XCTFail("no value") }
        XCTAssertEqual(v.json, #"{"event":"click","user_id":"u1","ts":1000,"amount":2.50}"#, "numbers as written")
        XCTAssertTrue(t.cases[0].expect.anyOrder)
        XCTAssertEqual(t.cases[0].expect.tolerance, 0.5)
        XCTAssertEqual(t.cases[1].steps.count, 7)
        guard case .advanceClock(let ms) = t.cases[1].steps[3].kind else { return XCTFail("not advanceClock") }
        XCTAssertEqual(ms, 90_000)
        guard case .expect(let e) = t.cases[1].steps[6].kind else { return XCTFail("not expect") }
        XCTAssertEqual(e.deadLetters.first?.errorClass, "decode")
        XCTAssertEqual(e.state?.first?.key, ["u1"])
        XCTAssertEqual(t.cases[1].expect.output.count, 0, "no expect: nothing more may come out")
    }

    func testTheFileItself() {
        assertRefused("", line: 1, column: 1, field: "(root)", "the test file is empty")
        assertRefused("pipeline: w.yaml\ncases: [\n", line: 3, column: 1, field: "(yaml)", "invalid YAML")
        assertRefused("pipline: w.yaml\ncases: []\n", line: 1, column: 1, field: "pipline", "did you mean 'pipeline'")
        assertRefused("cases: []\n", line: 1, column: 1, field: "pipeline", "missing required key 'pipeline'")
        assertRefused("pipeline: w.yaml\ncases: []\n", line: 2, column: 8, field: "cases", "at least one case")
        assertRefused("pipeline: w.yaml\ncases:\n  - name: a\n    input: []\n  - name: a\n    input: []\n",
                      line: 5, column: 5, field: "cases[1].name", "names must be unique")
    }

    func testThePipelineItNames() throws {
        assertRefused("pipeline: nowhere.yaml\ncases: []\n", line: 1, column: 11, field: "pipeline", "cannot read the pipeline")
        let path = dir.appendingPathComponent("t.test.yaml").path
        do {
            _ = try TestFileLoader.load(yaml: "\n\npipeline: broken.yaml\ncases: []\n", file: path)
            XCTFail("loaded")
        } catch {
            XCTAssertEqual(error.diagnostics.first?.line, 3, "the test file's line naming the pipeline")
            XCTAssertEqual(error.diagnostics.first?.message.contains("is refused"), true)
            let own = try XCTUnwrap(error.diagnostics.dropFirst().first)
            XCTAssertTrue(own.file.hasSuffix("broken.yaml"), "then the pipeline's own diagnostics: \(own)")
            XCTAssertEqual(own.line, 4)
            XCTAssertTrue(own.message.contains("did you mean 'lower'"), own.message)
        }
    }

    func testCases() {
        let head = "pipeline: w.yaml\ncases:\n"
        assertRefused(head + "  - input: []\n", line: 3, column: 5, field: "cases[0].name", "missing required key 'name'")
        assertRefused(head + "  - name: a\n", line: 3, column: 5, field: "cases[0].input", "missing key 'input'")
        assertRefused(head + "  - name: a\n    input: []\n    steps: []\n", line: 5, column: 5, field: "cases[0].steps", "input or steps, not both")
        assertRefused(head + "  - name: a\n    inputs: []\n", line: 4, column: 5, field: "cases[0].inputs", "did you mean 'input'")
        assertRefused(head + "  - name: a\n    partitions: 2000\n    input: []\n", line: 4, column: 17, field: "cases[0].partitions", "from 1 to 1024")
        assertRefused(head + "  - name: a\n    partitions: 2\n    input: [{partition: 2, value: {}}]\n",
                      line: 5, column: 13, field: "cases[0].input[0]", "partition 2 does not exist")
        assertRefused(head + "  - name: a\n    clock: noon\n    input: []\n", line: 4, column: 12, field: "cases[0].clock", "RFC 3339")
    }

    func testRecords() {
        let head = "pipeline: w.yaml\ncases:\n  - name: a\n    input:\n"
        assertRefused(head + "      - {value: {a: 1}, raw: x}\n", line: 5, column: 25, field: "cases[0].input[0].raw", "value or raw, not both")
        assertRefused(head + "      - {value: {amount: .5}}\n", line: 5, column: 26, field: "cases[0].input[0].value.amount", "not to JSON")
        assertRefused(head + "      - {value: {amount: 0x1F}}\n", line: 5, column: 26, field: "cases[0].input[0].value.amount", "write it as JSON does")
        assertRefused(head + "      - {valu: {}}\n", line: 5, column: 10, field: "cases[0].input[0].valu", "did you mean 'value'")
        assertRefused(head + "      - {value: {}, timestamp: yesterday}\n", line: 5, column: 32, field: "cases[0].input[0].timestamp", "epoch milliseconds")
        assertRefused(head + "      - {value: {}, topic: inn}\n", line: 5, column: 28, field: "cases[0].input[0].topic", "did you mean 'in'")
        assertRefused(head + "      - {value: {}, schema: {file: x.avsc}}\n", line: 5, column: 29, field: "cases[0].input[0].schema", "not Avro")
        assertRefused(head + "      - [1]\n", line: 5, column: 9, field: "cases[0].input[0]", "expected a record")
        assertRefused(head + "      - {value: {a: *x}}\n", line: 5, column: 21, field: "(yaml)", "invalid YAML")
    }

    func testStepsAgainstThePipeline() {
        func steps(_ pipeline: String, _ step: String) -> String { "pipeline: \(pipeline)\ncases:\n  - name: a\n    steps:\n      - \(step)\n" }
        assertRefused(steps("w.yaml", "checkpointAndRestor"), line: 5, column: 9, field: "cases[0].steps[0]", "did you mean 'checkpointAndRestore'")
        assertRefused(steps("w.yaml", "advanceWatermak: 5"), line: 5, column: 9, field: "cases[0].steps[0].advanceWatermak", "did you mean 'advanceWatermark'")
        assertRefused(steps("w.yaml", "checkpointAndRestore: true"), line: 5, column: 9, field: "cases[0].steps[0].checkpointAndRestore", "alone")
        assertRefused(steps("w.yaml", "{input: [], batch: []}"), line: 5, column: 9, field: "cases[0].steps[0]", "expected a step")
        assertRefused(steps("stateless.yaml", "advanceWatermark: 5"), line: 5, column: 9, field: "cases[0].steps[0].advanceWatermark", "no keyed window")
        assertRefused(steps("noidle.yaml", "idle: 0"), line: 5, column: 9, field: "cases[0].steps[0].idle", "never go idle")
        assertRefused(steps("files.yaml", "checkpointAndRestore"), line: 5, column: 9, field: "cases[0].steps[0]", "does not checkpoint")
        assertRefused(steps("w.yaml", "advanceClock: 5 minutes"), line: 5, column: 23, field: "cases[0].steps[0].advanceClock", "unknown duration unit")
        assertRefused("pipeline: w.yaml\npartitions: 2\ncases:\n  - name: a\n    steps:\n      - advanceWatermark: {to: 1, partition: 3}\n",
                      line: 6, column: 9, field: "cases[0].steps[0]", "partition 3 does not exist: the case has 2 partitions")
        assertRefused(steps("files.yaml", "input: [{key: k, value: {}}]"), line: 5, column: 23, field: "cases[0].steps[0].input[0].key", "no key")
        assertRefused(steps("avro.yaml", "input: [{value: {a: 1}}]"), line: 5, column: 25, field: "cases[0].steps[0].input[0].value", "writer schema")
        let schema = #"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#
        assertRefused(steps("avro.yaml", "input: [{value: {a: x}, schema: '\(schema)'}]"), line: 5, column: 25,
                      field: "cases[0].steps[0].input[0].value", "does not fit the Avro schema")
    }

    func testExpectations() {
        func expect(_ pipeline: String, _ body: String) -> String {
            "pipeline: \(pipeline)\ncases:\n  - name: a\n    input: []\n    expect:\n\(body)"
        }
        assertRefused(expect("w.yaml", "      outputs: []\n"), line: 6, column: 7, field: "cases[0].expect.outputs", "did you mean 'output'")
        assertRefused(expect("w.yaml", "      order: random\n"), line: 6, column: 14, field: "cases[0].expect.order", "exact")
        assertRefused(expect("w.yaml", "      tolerance: -1\n"), line: 6, column: 18, field: "cases[0].expect.tolerance", "non-negative")
        assertRefused(expect("w.yaml", "      deadLetters: [{error: decod}]\n"), line: 6, column: 29, field: "cases[0].expect.deadLetters[0].error", "did you mean 'decode'")
        assertRefused(expect("w.yaml", "      output: [{value: 1, error: decode}]\n"), line: 6, column: 27, field: "cases[0].expect.output[0].error", "unknown key")
        assertRefused(expect("stateless.yaml", "      late: []\n"), line: 6, column: 13, field: "cases[0].expect.late", "no window")
        assertRefused(expect("stateless.yaml", "      state: []\n"), line: 6, column: 14, field: "cases[0].expect.state", "no keyed state")
        assertRefused(expect("w.yaml", "      state: [{key: [a, b], entries: []}]\n"), line: 6, column: 21, field: "cases[0].expect.state[0].key", "keyed by 1 field")
        assertRefused(expect("w.yaml", "      state: [{key: a}]\n"), line: 6, column: 15, field: "cases[0].expect.state[0].entries", "missing required key 'entries'")
    }

    func testSeveralProblemsAreReportedTogether() {
        let path = dir.appendingPathComponent("t.test.yaml").path
        do {
            _ = try TestFileLoader.load(yaml: "pipeline: w.yaml\ncases:\n  - name: a\n    input: [{valu: 1}]\n  - name: b\n    steps: [jump]\n", file: path)
            XCTFail("loaded")
        } catch {
            XCTAssertEqual(error.diagnostics.map(\.line), [4, 6])
        }
    }
}
