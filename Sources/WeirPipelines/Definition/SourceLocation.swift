/// Where something was written: file, 1-based line and column, and the field
/// path (`steps[1].filter`).
public struct SourceLocation: Equatable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var field: String

    public init(file: String, line: Int, column: Int, field: String) {
        self.file = file; self.line = line; self.column = column; self.field = field
    }

    func diagnostic(_ message: String, severity: Diagnostic.Severity = .error) -> Diagnostic {
        Diagnostic(file: file, line: line, column: column, field: field, message: message, severity: severity)
    }
}

/// A value from the file together with where it was written.
public struct Located<Value> {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value; self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Sendable where Value: Sendable {}
