import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// A minimal valid pipeline around some steps (steps start on line 5).
func pipeline(steps: String, sinkKey: String? = nil) -> String {
    var s = """
    name: t
    source: {kafka: {topic: in}}
    sink: {kafka: {topic: out\(sinkKey.map { ", key: \"\($0)\"" } ?? "")}}
    steps:

    """
    s += steps
    return s
}

/// Loads YAML that must be refused and checks its first diagnostic.
func assertRefused(_ yaml: String, line: Int, column: Int, field: String, _ phrase: String, columnChecked: Bool = true,
                   file: StaticString = #filePath, testLine: UInt = #line) {
    do {
        let p = try PipelineLoader.load(yaml: yaml, file: "bad.yaml")
        XCTFail("expected a refusal, loaded job \(p.job.name)", file: file, line: testLine)
    } catch {
        guard let d = error.first else { return XCTFail("no diagnostic", file: file, line: testLine) }
        XCTAssertEqual(d.file, "bad.yaml", file: file, line: testLine)
        XCTAssertEqual(d.line, line, "line of: \(d)", file: file, line: testLine)
        if columnChecked { XCTAssertEqual(d.column, column, "column of: \(d)", file: file, line: testLine) }
        XCTAssertEqual(d.field, field, "field of: \(d)", file: file, line: testLine)
        XCTAssertTrue(d.message.contains(phrase), "message of \(d) lacks '\(phrase)'", file: file, line: testLine)
    }
}

func load(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> Pipeline? {
    do {
        return try PipelineLoader.load(yaml: yaml, file: "test.yaml")
    } catch {
        XCTFail("refused: \(error)", file: file, line: line)
        return nil
    }
}

/// A row with named top-level fields in slots 0, 1, … (strings go to the arena).
struct TestRow {
    enum Value {
        case missing, null, bool(Bool), int(Int64), double(Double), string(String), json(String)
    }

    var names: [String]
    var row: Row

    init(_ fields: [(String, Value)]) {
        names = fields.map(\.0)
        row = Row(slotCount: fields.count + 8)
        for (i, (_, v)) in fields.enumerated() {
            switch v {
            case .missing: row.cells[i] = .missing
            case .null: row.cells[i] = .null
            case .bool(let b): row.cells[i] = .bool(b)
            case .int(let n): row.cells[i] = .int(n)
            case .double(let d): row.cells[i] = .double(d)
            case .string(let s): row.cells[i] = .string(row.store(Array(s.utf8)))
            case .json(let s): row.cells[i] = .json(row.store(Array(s.utf8)))
            }
        }
    }

    /// Compiles `text` with top-level field names bound to their slots.
    func compile(_ text: String) throws -> RowExpression {
        let syntax = try ExpressionParser.parse(text)
        let names = self.names
        let compiler = ExpressionCompiler(text: text) { path in
            guard path.components.count == 1, let i = names.firstIndex(of: path.components[0]) else {
                return .failure("unknown field '\(path)'")
            }
            return .slot(i, .any)
        }
        return try compiler.compile(syntax).node
    }
}

/// What an evaluation should give.
enum Expect: CustomStringConvertible {
    case int(Int64), double(Double), string(String), bool(Bool), null, json(String)
    case error(String)
    /// Refused when compiling (static check or parse error).
    case refused(String)

    var description: String {
        switch self {
        case .int(let v): return "int \(v)"
        case .double(let d): return "double \(d)"
        case .string(let s): return "string '\(s)'"
        case .bool(let b): return "bool \(b)"
        case .null: return "null"
        case .json(let s): return "json \(s)"
        case .error(let m): return "EvalError containing '\(m)'"
        case .refused(let m): return "compile error containing '\(m)'"
        }
    }
}

func describe(_ cell: Cell, _ row: Row) -> String {
    switch cell {
    case .missing: return "missing"
    case .null: return "null"
    case .bool(let b): return "bool \(b)"
    case .int(let v): return "int \(v)"
    case .double(let d): return "double \(d)"
    case .string(let s): return "string '\(row.string(s))'"
    case .json(let s): return "json \(row.string(s))"
    }
}

/// Evaluates `text` over `fields` and compares with `expected`.
func check(_ text: String, _ expected: Expect, _ fields: [(String, TestRow.Value)] = [],
           file: StaticString = #filePath, line: UInt = #line) {
    var t = TestRow(fields)
    let node: RowExpression
    do {
        node = try t.compile(text)
    } catch let e as ExpressionError {
        if case .refused(let phrase) = expected {
            XCTAssertTrue(e.message.contains(phrase), "`\(text)`: '\(e.message)' lacks '\(phrase)'", file: file, line: line)
        } else {
            XCTFail("`\(text)`: refused at offset \(e.offset): \(e.message); expected \(expected)", file: file, line: line)
        }
        return
    } catch {
        return XCTFail("`\(text)`: \(error)", file: file, line: line)
    }
    if case .refused = expected {
        return XCTFail("`\(text)`: compiled, expected \(expected)", file: file, line: line)
    }
    let result: Cell
    do {
        result = try node.evaluate(&t.row)
    } catch {
        if case .error(let phrase) = expected {
            XCTAssertTrue(error.message.contains(phrase), "`\(text)`: '\(error.message)' lacks '\(phrase)'", file: file, line: line)
        } else {
            XCTFail("`\(text)`: EvalError \(error.message); expected \(expected)", file: file, line: line)
        }
        return
    }
    let got = describe(result, t.row)
    switch expected {
    case .int(let v): XCTAssertEqual(result, .int(v), "`\(text)` gave \(got)", file: file, line: line)
    case .double(let d): XCTAssertEqual(result, .double(d), "`\(text)` gave \(got)", file: file, line: line)
    case .bool(let b): XCTAssertEqual(result, .bool(b), "`\(text)` gave \(got)", file: file, line: line)
    case .null: XCTAssertTrue(result.isNullish, "`\(text)` gave \(got)", file: file, line: line)
    case .string(let s):
        guard case .string(let span) = result else { return XCTFail("`\(text)` gave \(got), expected \(expected)", file: file, line: line) }
        XCTAssertEqual(t.row.string(span), s, "`\(text)`", file: file, line: line)
    case .json(let s):
        guard case .json(let span) = result else { return XCTFail("`\(text)` gave \(got), expected \(expected)", file: file, line: line) }
        XCTAssertEqual(t.row.string(span), s, "`\(text)`", file: file, line: line)
    case .error, .refused:
        XCTFail("`\(text)` gave \(got), expected \(expected)", file: file, line: line)
    }
}
