import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// Slot assignment and output shapes of compiled pipelines.
final class PipelineCompilerTests: XCTestCase {
    func program(_ steps: String, key: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> RecordProgram? {
        load(pipeline(steps: steps, sinkKey: key), file: file, line: line)?.job.program
    }

    /// The output shape as text: `original`, `edited(-a,-b +x@3)`, `projected(x@0 y@2)`.
    func shape(_ o: RecordProgram.Output) -> String {
        switch o {
        case .original: return "original"
        case .edited(let removed, let append):
            let r = removed.sorted().map { "-\($0)" }
            let a = append.map { "+\($0.name)@\($0.slot)" }
            return "edited(" + (r + a).joined(separator: " ") + ")"
        case .projected(let fields):
            return "projected(" + fields.map { "\($0.name)@\($0.slot)" }.joined(separator: " ") + ")"
        }
    }

    func inputs(_ p: RecordProgram) -> [String] { p.inputFields.map(\.description) }

    /// Runs the steps the way a task does; nil when the record is filtered out.
    func execute(_ p: RecordProgram, _ values: [String: TestRow.Value]) throws -> Row? {
        var row = Row(slotCount: p.slotCount)
        for (i, path) in p.inputFields.enumerated() {
            switch values[path.description] ?? .missing {
            case .missing: row.cells[i] = .missing
            case .null: row.cells[i] = .null
            case .bool(let b): row.cells[i] = .bool(b)
            case .int(let v): row.cells[i] = .int(v)
            case .double(let d): row.cells[i] = .double(d)
            case .string(let s): row.cells[i] = .string(row.store(Array(s.utf8)))
            case .json(let s): row.cells[i] = .json(row.store(Array(s.utf8)))
            }
        }
        for step in p.steps {
            switch step {
            case .filter(let e): if !(try e.evaluate(&row).isTrue) { return nil }
            case .assign(let slot, let e): row.cells[slot] = try e.evaluate(&row)
            }
        }
        return row
    }

    func testFilterOnlyKeepsOriginalBytes() throws {
        guard let p = program("  - filter: \"event == 'click' and duration_ms >= 0\"\n") else { return }
        XCTAssertEqual(inputs(p), ["event", "duration_ms"])
        XCTAssertEqual(p.slotCount, 2)
        XCTAssertEqual(p.steps.count, 1)
        XCTAssertEqual(shape(p.output), "original")
        XCTAssertNil(p.outputKey)
        XCTAssertNotNil(try execute(p, ["event": .string("click"), "duration_ms": .int(5)]))
        XCTAssertNil(try execute(p, ["event": .string("view"), "duration_ms": .int(5)]))
        XCTAssertNil(try execute(p, ["event": .string("click")]))
    }

    func testNoStepsIsPassThrough() {
        for steps in ["", "  []\n"] {
            guard let p = program(steps) else { return }
            XCTAssertEqual(shape(p.output), "original")
            XCTAssertEqual(p.slotCount, 0)
            XCTAssertTrue(p.steps.isEmpty)
        }
    }

    func testMapOverwritingAFieldStripsAndAppends() {
        guard let p = program("  - map: {host: \"lower(page.host)\"}\n") else { return }
        XCTAssertEqual(inputs(p), ["page.host"])
        XCTAssertEqual(p.slotCount, 2)
        XCTAssertEqual(shape(p.output), "edited(-host +host@1)")
    }

    func testSSAOverwriteGetsNewSlotAndLaterReferencesFollowIt() throws {
        guard let p = program("""
              - map: {x: "a + 1"}
              - map: {x: "x * 10"}
              - filter: "x > 15"

            """) else { return }
        XCTAssertEqual(inputs(p), ["a"])
        XCTAssertEqual(p.slotCount, 3)
        XCTAssertEqual(shape(p.output), "edited(-x +x@2)")
        let row = try execute(p, ["a": .int(1)])
        XCTAssertEqual(row?.cells[1], .int(2))
        XCTAssertEqual(row?.cells[2], .int(20))
        XCTAssertNil(try execute(p, ["a": .int(0)]))
    }

    func testComputedSlotsComeAfterAllInputFields() throws {
        guard let p = program("""
              - map: {x: "b + 1"}
              - filter: "a > x"

            """) else { return }
        XCTAssertEqual(inputs(p), ["b", "a"])
        XCTAssertEqual(p.slotCount, 3)
        XCTAssertEqual(shape(p.output), "edited(-x +x@2)")
        XCTAssertNotNil(try execute(p, ["a": .int(5), "b": .int(1)]))
    }

    func testMapEntriesSeeTheRecordBeforeTheStep() throws {
        guard let p = program("  - map: {a: \"a * 2\", b: \"a + 1\"}\n") else { return }
        let row = try execute(p, ["a": .int(10)])
        XCTAssertEqual(shape(p.output), "edited(-a -b +a@1 +b@2)")
        XCTAssertEqual(row?.cells[2], .int(11))
    }

    func testRenameMovesTheOldValue() {
        guard let p = program("  - rename: {user: user_id}\n") else { return }
        XCTAssertEqual(inputs(p), ["user"])
        XCTAssertEqual(shape(p.output), "edited(-user -user_id +user_id@0)")
        XCTAssertTrue(p.steps.isEmpty)
    }

    func testRenamedFieldIsReadByItsNewName() {
        guard let p = program("""
              - rename: {page: p}
              - filter: "p.host == 'x'"

            """, key: "p.url") else { return }
        XCTAssertEqual(inputs(p), ["page.host", "page.url", "page"])
        XCTAssertEqual(shape(p.output), "edited(-p -page +p@2)")
        XCTAssertNotNil(p.outputKey)
    }

    func testRenameSwap() {
        guard let p = program("  - rename: {a: b, b: a}\n") else { return }
        XCTAssertEqual(shape(p.output), "edited(-a -b +b@0 +a@1)")
        XCTAssertEqual(inputs(p), ["a", "b"])
    }

    func testRenameOfComputedFieldKeepsItsSlot() {
        guard let p = program("  - map: {x: \"a + 1\"}\n  - rename: {x: y}\n") else { return }
        XCTAssertEqual(shape(p.output), "edited(-x -y +y@1)")
    }

    func testFieldAppendedThenDroppedDisappears() {
        guard let p = program("  - map: {y: \"a + 1\", z: \"2\"}\n  - drop: [y, debug]\n") else { return }
        XCTAssertEqual(shape(p.output), "edited(-debug -y -z +z@2)")
    }

    func testDropOnly() {
        guard let p = program("  - drop: debug\n") else { return }
        XCTAssertEqual(shape(p.output), "edited(-debug)")
        XCTAssertEqual(p.slotCount, 0)
    }

    func testMapOfABareFieldIsAnAlias() {
        guard let p = program("  - map: {p: page}\n  - filter: \"p.host == 'x'\"\n") else { return }
        XCTAssertEqual(inputs(p), ["page", "page.host"])
        XCTAssertEqual(p.slotCount, 2)
        XCTAssertEqual(shape(p.output), "edited(-p +p@0)")
    }

    func testSelectProjects() {
        guard let p = program("  - select: [user_id, page.host, \"amount * 100 as cents\"]\n") else { return }
        XCTAssertEqual(inputs(p), ["user_id", "page.host", "amount"])
        XCTAssertEqual(p.slotCount, 4)
        XCTAssertEqual(shape(p.output), "projected(user_id@0 host@1 cents@3)")
    }

    func testSelectMappingThenFilterOnAlias() {
        guard let p = program("  - select: {id: user_id, n: \"length(name)\"}\n  - filter: \"id == 'u1' and n > 1\"\n") else { return }
        XCTAssertEqual(shape(p.output), "projected(id@0 n@2)")
    }

    func testMapRenameDropAfterSelectEditTheProjection() {
        guard let p = program("""
              - select: [a, b, c]
              - map: {d: "a + b", a: "a * 2"}
              - rename: {b: bb}
              - drop: [c]

            """) else { return }
        XCTAssertEqual(shape(p.output), "projected(a@4 bb@1 d@3)")
    }

    func testComputedFieldKindIsCheckedAtLoadTime() {
        assertRefused(pipeline(steps: "  - map: {x: \"lower(a)\"}\n  - filter: \"x * 2 > 1\"\n"),
                      line: 6, column: 16, field: "steps[1].filter", "cannot apply '*' to string and integer")
    }

    func testOutputKeyUsesTheFinalFields() throws {
        guard let p = program("  - rename: {user: uid}\n", key: "lower(uid)"),
              let key = p.outputKey else { return XCTFail("no key") }
        var row = Row(slotCount: p.slotCount)
        row.cells[0] = .string(row.store(Array("U42".utf8)))
        guard case .string(let s) = try key.evaluate(&row) else { return XCTFail("not a string") }
        XCTAssertEqual(row.string(s), "u42")
    }

    func testJobSettings() throws {
        let yaml = """
        name: jobs.v2
        source:
          kafka:
            topics: [a, b]
            startFrom: latest
        sink:
          kafka: {topic: out}
        deadLetter: {topic: dlq}

        """
        let p = try PipelineLoader(defaultParallelism: 5).load(yaml: yaml, file: "j.yaml")
        XCTAssertEqual(p.job.name, "jobs.v2")
        XCTAssertEqual(p.job.source.topics, ["a", "b"])
        XCTAssertEqual(p.job.source.group, "jobs.v2")
        XCTAssertEqual(p.job.source.startFrom, .latest)
        XCTAssertEqual(p.job.source.format, .json)
        XCTAssertEqual(p.job.sink.topic, "out")
        XCTAssertEqual(p.job.deadLetterTopic, "dlq")
        XCTAssertEqual(p.job.parallelism, 5)
        XCTAssertEqual(p.job.topics, ["a", "b", "out", "dlq"])
        XCTAssertNil(p.definition.parallelism)
        let explicit = try PipelineLoader.load(yaml: yaml + "parallelism: 3\n", file: "j.yaml")
        XCTAssertEqual(explicit.job.parallelism, 3)
    }
}
