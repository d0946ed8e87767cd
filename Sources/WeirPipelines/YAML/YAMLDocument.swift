import Yams

/// Parses YAML text into Yams nodes (which keep their line and column), turning
/// Yams' errors into diagnostics.
enum YAMLDocument {
    static func compose(_ text: String, file: String) -> Result<Node?, Diagnostic> {
        do {
            // Tags are never read (the loaders read scalars' text and style), so
            // no resolver: Yams' default runs regular expressions on every scalar.
            return .success(try Yams.compose(yaml: text, .basic))
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, text: text, file: file))
        } catch {
            return .failure(Diagnostic(file: file, line: 1, column: 1, field: "(yaml)",
                                       message: "cannot parse YAML: \(error)"))
        }
    }

    static func diagnostic(for error: YamlError, text: String, file: String) -> Diagnostic {
        func make(_ mark: Mark, _ message: String) -> Diagnostic {
            make(SourcePosition(line: mark.line, column: mark.column), message)
        }
        func make(_ p: SourcePosition, _ message: String) -> Diagnostic {
            Diagnostic(file: file, line: p.line, column: p.column, field: "(yaml)", message: message)
        }
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let c = context else { return "invalid YAML: \(problem)" }
            return "invalid YAML: \(problem) (\(c.text) at line \(c.mark.line), column \(c.mark.column))"
        }
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return make(mark, withContext(problem, context))
        case let .reader(problem, offset, _, _):
            return make(mark(ofCharacterOffset: offset ?? 0, in: text), "unreadable text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return make(context.mark, "duplicate key \(keys) in a mapping; each key may appear once")
        default:
            return make(SourcePosition(line: 1, column: 1), "cannot parse YAML: \(error)")
        }
    }

    private static func mark(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1, column = 1
        for ch in text.prefix(offset) {
            if ch == "\n" || ch == "\r\n" { line += 1; column = 1 } else { column += ch.unicodeScalars.count }
        }
        return SourcePosition(line: line, column: column)
    }
}
