/// One problem found in a pipeline or configuration file, with the place it
/// was found: `file:line:column: error: field: message`.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// Errors refuse the file; warnings are printed and the job runs; info
    /// lines say what the job will do that the file does not spell out.
    public enum Severity: String, Sendable { case error, warning, info }

    /// The file name as given to the loader (or `environment` for variables).
    public var file: String
    /// 1-based line; 0 when the problem has no place in a file (environment variables).
    public var line: Int
    /// 1-based column, counted in Unicode scalars like libyaml does.
    public var column: Int
    /// Where in the document: `steps[1].filter`, `sink.kafka.topic`, `WEIR_PARALLELISM`.
    public var field: String
    /// What was expected and what was found.
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, field: String, message: String, severity: Severity = .error) {
        self.file = file; self.line = line; self.column = column
        self.field = field; self.message = message; self.severity = severity
    }

    public var description: String {
        if line > 0 {
            return "\(file):\(line):\(column): \(severity.rawValue): \(field): \(message)"
        }
        return "\(file): \(severity.rawValue): \(field): \(message)"
    }
}
