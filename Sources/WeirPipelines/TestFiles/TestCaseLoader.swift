import Yams

/// One case of a test file: `name`, `input` or `steps`, `expect`, and its options.
enum TestCaseLoader {
    static func load(_ node: Node, _ field: String, _ context: TestFileContext, _ reader: inout YAMLReader) -> TestCase? {
        guard let m = reader.mapping(node, field, known: TestFileLoader.caseKeys, expected: "a case: a mapping with name, input or steps, and expect") else {
            return nil
        }
        let before = reader.diagnostics.count
        let name = m.require("name", "what the case checks", in: &reader).flatMap { reader.string($0, m.path("name"), expected: "a case name") }
        var partitions: Int?
        if let n = m["partitions"] { partitions = reader.int(n, m.path("partitions"), in: 1...1024) }
        var clock: Int64 = 0
        if let n = m["clock"] { clock = reader.instant(n, m.path("clock")) ?? 0 }
        var tolerance = context.tolerance
        if let n = m["tolerance"] { tolerance = reader.tolerance(n, m.path("tolerance")) ?? 0 }

        var steps: [TestStep] = []
        if m["input"] != nil, let s = m.entry("steps") {
            reader.error(m.path("steps"), s.keyNode, "a case has input or steps, not both (put the records in an input step: - input: [...])")
        } else if let input = m["input"] {
            if let records = InputRecordLoader.list(input, m.path("input"), context, &reader) {
                steps.append(TestStep(kind: .input(records), location: reader.location(m.path("input"), input)))
            }
        } else if let s = m["steps"], let items = reader.sequence(s, m.path("steps"), expected: "a list of steps") {
            for (i, item) in items.enumerated() {
                if let step = TestStepLoader.load(item, m.path("steps") + "[\(i)]", context, tolerance: tolerance, &reader) { steps.append(step) }
            }
        } else if m["steps"] == nil {
            reader.error(m.path("input"), at: m.position, "missing key 'input' (the records to push) or 'steps'")
        }
        var expect = Expectation()
        expect.tolerance = tolerance
        if let e = m.entry("expect") {
            expect = ExpectationLoader.load(e.value, keyNode: e.keyNode, m.path("expect"), context, tolerance: tolerance, &reader) ?? expect
        }

        // Partitions: as given, else enough for every partition the case names.
        let named = steps.flatMap(\.partitionsNamed)
        let highest = named.map(\.partition).max() ?? 0
        let count = partitions ?? context.partitions ?? highest + 1
        for n in named where n.partition >= count {
            reader.error(n.location.field, at: SourcePosition(line: n.location.line, column: n.location.column),
                         "partition \(n.partition) does not exist: the case has \(count) partition\(count == 1 ? "" : "s") (set partitions: to have more)")
        }
        guard let name, reader.diagnostics.count == before else { return nil }
        return TestCase(name: name, location: reader.location(field, node), partitions: count, clockStartMs: clock,
                        steps: steps, expect: expect, layout: reader.place(node))
    }
}

extension TestStep {
    /// The partitions this step names, where (to check them against the case's count).
    var partitionsNamed: [(partition: Int, location: SourceLocation)] {
        switch kind {
        case .input(let records), .batch(let records): return records.map { ($0.partition, $0.location) }
        case .advanceWatermark(_, let p?, _): return [(p, location)]
        case .idle(let ps, _): return ps.map { ($0, location) }
        default: return []
        }
    }
}
