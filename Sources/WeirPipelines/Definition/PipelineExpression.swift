/// An expression as written in a pipeline file, already parsed.
public struct PipelineExpression {
    /// The text of the expression (the YAML scalar's value).
    public let text: String
    /// Where the scalar holding it starts.
    public let location: SourceLocation

    let syntax: ExpressionSyntax
    /// Line and column of each Unicode scalar of `text` (plus one past the
    /// end), when the YAML layout could be followed.
    let positions: [SourcePosition]?

    /// The location of a UTF-8 byte offset inside the text (errors inside the
    /// expression point at the offending character).
    func location(ofByteOffset offset: Int) -> SourceLocation {
        guard let positions else { return location }
        let scalarOffset = text.utf8.prefix(max(0, offset)).reduce(0) { n, b in b & 0xC0 == 0x80 ? n : n + 1 }
        let p = positions[min(scalarOffset, positions.count - 1)]
        return SourceLocation(file: location.file, line: p.line, column: p.column, field: location.field)
    }

    func diagnostic(_ error: ExpressionError) -> Diagnostic {
        location(ofByteOffset: error.offset).diagnostic(error.message)
    }
}
