import Yams

/// Maps each Unicode scalar of a YAML scalar's value back to its line and
/// column in the file, so an error inside an expression can point at the
/// exact character (quotes, escapes and line folding accounted for).
///
/// Returns nil when the source does not line up with the value (a layout this
/// walker does not know); callers then point at the scalar's start.
enum ScalarPositions {
    static func map(_ scalar: Node.Scalar, in source: SourceText) -> [SourcePosition]? {
        guard let mark = scalar.mark else { return nil }
        let value = Array(scalar.string.unicodeScalars)
        switch scalar.style {
        case .literal, .folded:
            return mapBlock(value, headerLine: mark.line - 1, in: source)
        case .singleQuoted, .doubleQuoted, .plain, .any:
            return mapFlow(value, style: scalar.style, line: mark.line - 1, column: mark.column - 1, in: source)
        }
    }

    /// Plain and quoted scalars: characters one by one, with escapes and folded line breaks.
    private static func mapFlow(_ value: [Unicode.Scalar], style: Node.Scalar.Style,
                                line startLine: Int, column startColumn: Int,
                                in source: SourceText) -> [SourcePosition]? {
        var line = startLine, col = startColumn
        let quoted = style == .singleQuoted || style == .doubleQuoted
        if quoted {
            let quote: Unicode.Scalar = style == .singleQuoted ? "'" : "\""
            guard source.scalar(line: line, column: col) == quote else { return nil }
            col += 1
        }
        var out: [SourcePosition] = []
        out.reserveCapacity(value.count + 1)
        var i = 0
        while i < value.count {
            guard let c = source.scalar(line: line, column: col) else { return nil }
            let atBreak = c == "\n" || ((c == " " || c == "\t") && source.restIsBlank(line: line, column: col)
                                        && line + 1 < source.lines.count)
            if atBreak {
                // Folding: one break becomes a space, n blank lines become n newlines.
                let breakPosition = SourcePosition(line: line + 1, column: col + 1)
                line += 1
                var blanks = 0
                while line < source.lines.count - 1, source.isBlankLine(line) { blanks += 1; line += 1 }
                col = 0
                while let s = source.scalar(line: line, column: col), s == " " || s == "\t" { col += 1 }
                let produced: [Unicode.Scalar] = blanks == 0 ? [" "] : Array(repeating: "\n", count: blanks)
                for p in produced {
                    guard i < value.count, value[i] == p else { return nil }
                    out.append(breakPosition)
                    i += 1
                }
                continue
            }
            if style == .singleQuoted, c == "'" {
                guard source.scalar(line: line, column: col + 1) == "'", value[i] == "'" else { return nil }
                out.append(SourcePosition(line: line + 1, column: col + 1))
                col += 2; i += 1
                continue
            }
            if style == .doubleQuoted, c == "\\" {
                guard let e = source.scalar(line: line, column: col + 1) else { return nil }
                if e == "\n" {
                    // An escaped line break joins the lines without a space.
                    line += 1; col = 0
                    while let s = source.scalar(line: line, column: col), s == " " || s == "\t" { col += 1 }
                    continue
                }
                out.append(SourcePosition(line: line + 1, column: col + 1))
                switch e {
                case "x": col += 4
                case "u": col += 6
                case "U": col += 10
                default: col += 2
                }
                i += 1
                continue
            }
            guard c == value[i] else { return nil }
            out.append(SourcePosition(line: line + 1, column: col + 1))
            col += 1; i += 1
        }
        out.append(SourcePosition(line: line + 1, column: col + 1))
        return out
    }

    /// Literal (`|`) and folded (`>`) blocks: content lines after the header,
    /// without their indentation; each line end maps to its line break.
    private static func mapBlock(_ value: [Unicode.Scalar], headerLine: Int,
                                 in source: SourceText) -> [SourcePosition]? {
        var line = headerLine + 1
        while line < source.lines.count, source.isBlankLine(line) { line += 1 }
        let indent = source.indentation(ofLine: line)
        line = headerLine + 1
        var out: [SourcePosition] = []
        var i = 0
        while i < value.count, line < source.lines.count {
            let text = source.lines[line]
            var col = indent
            while col < text.count, i < value.count {
                guard text[col] == value[i] else { return nil }
                out.append(SourcePosition(line: line + 1, column: col + 1))
                col += 1; i += 1
            }
            if i < value.count, value[i] == "\n" || value[i] == " " {
                out.append(SourcePosition(line: line + 1, column: max(col, text.count) + 1))
                i += 1
            }
            line += 1
        }
        guard i == value.count else { return nil }
        out.append(out.last ?? SourcePosition(line: headerLine + 2, column: indent + 1))
        return out
    }
}
