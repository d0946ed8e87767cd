import XCTest
import WeirFormats
@testable import WeirEngine

/// An emitted row, rendered as text so tests compare whole rows.
struct Emitted: Equatable, CustomStringConvertible {
    var kind: EmitKind
    var partition: Int
    var fields: [String: String]
    var description: String {
        "\(kind == .insert ? "+" : "~")p\(partition) " + fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
    }
    subscript(_ name: String) -> String? { fields[name] }
}

/// A chain sink that keeps emitted values as text and counts late records;
/// a dead letter fails the test.
final class RecordingChainSink: ChainSink {
    var emitted: [String] = []
    var lateCount = 0
    func emit(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        emitted.append(String(decoding: value, as: UTF8.self))
    }
    func deadLetter(_ error: ProcessingError) throws { XCTFail("dead letter: \(error)") }
    func late() throws { lateCount += 1 }
}

func render(_ cell: Cell, _ row: Row) -> String {
    switch cell {
    case .missing: return "missing"
    case .null: return "null"
    case .bool(let b): return String(b)
    case .int(let i): return String(i)
    case .double(let d): return "d:" + String(d)
    case .string(let s): return "\"" + row.string(s) + "\""
    case .json(let s): return row.string(s)
    }
}

/// Collects everything an operator emits.
struct Collector: OperatorOutput {
    let layout: [(name: String, slot: Int)]
    var rows: [Emitted] = []
    var late: [(ts: Int64, partition: Int, row: [String])] = []

    init(_ op: any Operator) { layout = op.outputLayout }

    mutating func emit(_ row: Row, kind: EmitKind, partition: Int) {
        var f: [String: String] = [:]
        for l in layout { f[l.name] = render(row.cells[l.slot], row) }
        rows.append(Emitted(kind: kind, partition: partition, fields: f))
    }
    mutating func late(_ row: Row, timestampMs: Int64, partition: Int) {
        late.append((timestampMs, partition, row.cells.map { render($0, row) }))
    }
    mutating func take() -> [Emitted] { defer { rows = [] }; return rows }
}

/// Builds input rows: slot 0 = key (string), 1 = value (cell), 2 = second key/extra.
func makeRow(_ cells: [Any?]) -> Row {
    var row = Row(slotCount: cells.count)
    for (i, c) in cells.enumerated() {
        switch c {
        case nil: row.cells[i] = .missing
        case let s as String: row.cells[i] = .string(row.store(Array(s.utf8)))
        case let v as Int: row.cells[i] = .int(Int64(v))
        case let v as Int64: row.cells[i] = .int(v)
        case let v as Double: row.cells[i] = .double(v)
        case let v as Bool: row.cells[i] = .bool(v)
        case let v as Cell: row.cells[i] = v
        default: row.cells[i] = .null
        }
    }
    return row
}

extension Operator {
    func feed(_ cells: [Any?], ts: Int64, partition: Int = 0, _ out: inout Collector) throws {
        var row = makeRow(cells)
        try process(row: &row, timestampMs: ts, partition: partition, output: &out)
    }
}

/// Directory of this test file (resources are found from #filePath, no Package.swift change).
func testDirectory(_ file: String = #filePath) -> URL { URL(fileURLWithPath: file).deletingLastPathComponent() }

/// Runs a command, returns (exit code, stdout). Stderr is passed through.
@discardableResult
func runCommand(_ args: [String], cwd: URL? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    if let cwd { p.currentDirectoryURL = cwd }
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
