import Foundation
import WeirEngine
import WeirFormats
import Yams

/// Reads pipeline test files (`*.test.yaml`, docs/testing.md), loads the
/// pipeline each names and checks the cases against it. Every problem is a
/// `Diagnostic` with file, line, column and field, as for pipelines; as many
/// as can be found in one run.
public enum TestFileLoader {
    static let topLevelKeys = ["pipeline", "partitions", "tolerance", "inputSchema", "cases"]
    static let caseKeys = ["name", "input", "steps", "expect", "partitions", "clock", "tolerance"]

    public static func load(path: String) throws(PipelineError) -> TestFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError([Diagnostic(file: path, line: 0, column: 0, field: "(file)",
                                            message: "cannot read the test file: \(error.localizedDescription)")])
        }
        return try load(yaml: text, file: path)
    }

    /// - Parameter file: the path; the pipeline is found relative to its directory.
    public static func load(yaml: String, file: String) throws(PipelineError) -> TestFile {
        let root: Node
        switch YAMLDocument.compose(yaml, file: file) {
        case .failure(let d): throw PipelineError([d])
        case .success(nil):
            throw PipelineError([Diagnostic(file: file, line: 1, column: 1, field: "(root)",
                                            message: "the test file is empty; expected a mapping with pipeline and cases")])
        case .success(.some(let node)): root = node
        }
        var reader = YAMLReader(file: file, text: yaml)
        guard let m = reader.mapping(root, "", known: topLevelKeys, expected: "a mapping with pipeline and cases") else {
            throw PipelineError(reader.diagnostics)
        }
        // The pipeline first: the cases are checked against it.
        guard let pNode = m.require("pipeline", "the pipeline file this tests, relative to this file", in: &reader),
              let pName = reader.string(pNode, "pipeline", expected: "a pipeline file path") else {
            throw PipelineError(reader.diagnostics)
        }
        let pipelinePath = pName.hasPrefix("/") ? pName : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(pName)
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoader.load(path: pipelinePath)
        } catch {
            // The pipeline's own diagnostics point into it; this line says which test file wanted it.
            let p = YAMLReader.position(of: pNode)
            let reason = error.diagnostics.count == 1 && error.diagnostics[0].line == 0
                ? "cannot read the pipeline '\(pipelinePath)'" : "the pipeline '\(pipelinePath)' is refused (its errors follow)"
            throw PipelineError([Diagnostic(file: file, line: p.line, column: p.column, field: "pipeline", message: reason)]
                                + error.diagnostics.filter { $0.line > 0 })
        }
        var context = TestFileContext(pipeline: pipeline)
        if let n = m["partitions"] { context.partitions = reader.int(n, "partitions", in: 1...1024) }
        if let n = m["tolerance"] { context.tolerance = reader.tolerance(n, "tolerance") ?? 0 }
        if let n = m["inputSchema"] { context.inputSchema = schema(n, "inputSchema", &reader) }
        if context.inputSchema == nil { context.inputSchema = pipeline.jobs[0].formats.readerSchema?.text }

        var cases: [TestCase] = []
        if let cNode = m.require("cases", "the test cases", in: &reader), let items = reader.sequence(cNode, "cases", expected: "a list of cases") {
            if items.isEmpty { reader.error("cases", cNode, "expected at least one case") }
            var names: Set<String> = []
            for (i, item) in items.enumerated() {
                guard let c = TestCaseLoader.load(item, "cases[\(i)]", context, &reader) else { continue }
                if !names.insert(c.name).inserted {
                    reader.error("cases[\(i)].name", item, "another case is named '\(c.name)'; names must be unique")
                }
                cases.append(c)
            }
        }
        guard reader.diagnostics.isEmpty else { throw PipelineError(reader.diagnostics) }
        return TestFile(path: file, text: yaml, pipelinePath: pipelinePath, pipeline: pipeline, cases: cases)
    }

    /// An Avro schema: inline JSON text or `{file: path}` (relative to the test file).
    static func schema(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> String? {
        guard let text = FormatLoader.schemaText(node, field, &reader) else { return nil }
        do { _ = try AvroSchema(parsing: text) } catch {
            reader.error(field, node, error.description)
            return nil
        }
        return text
    }
}

/// What the cases of one file share: the pipeline and the file's defaults.
struct TestFileContext {
    let pipeline: Pipeline
    var partitions: Int?
    var tolerance = 0.0
    /// Writer schema of Avro input values.
    var inputSchema: String?

    init(pipeline: Pipeline) { self.pipeline = pipeline }

    var first: JobSpec { pipeline.jobs[0] }
    var sourceTopics: [String] { first.source.topics }
    var readsAvro: Bool { first.source.format == .avro }
    var readsFiles: Bool { first.readsFiles }
    var stateful: JobSpec.StatefulStage? { pipeline.job.stateful }
    var eventTime: Bool { stateful?.timestamp != nil }
    /// Source partitions go idle after this (the first stage tracks them when the pipeline repartitions).
    var idleTimeoutMs: Int64? { first.watermarkAnnouncements?.idleTimeoutMs ?? stateful?.watermark.idleTimeoutMs }
    /// The key fields of the keyed state (empty: none).
    var keyFields: [String] { (try? stateful?.makeOperator())?.keyFieldNames ?? [] }
}

extension YAMLReader {
    /// A non-negative number (absolute tolerance for numbers).
    mutating func tolerance(_ node: Node, _ field: String) -> Double? {
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any, let n = TestNumber(s.string), n.double >= 0, n.double.isFinite else {
            error(field, node, "expected a non-negative number (how far numbers may differ, e.g. 0.001), found \(Self.describe(node))")
            return nil
        }
        return n.double
    }
}
