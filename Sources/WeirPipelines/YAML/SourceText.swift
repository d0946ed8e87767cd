/// The text of a YAML file split into lines of Unicode scalars, so positions
/// inside scalars can be computed the way libyaml counts columns.
struct SourceText {
    let lines: [[Unicode.Scalar]]

    init(_ text: String) {
        var lines: [[Unicode.Scalar]] = [[]]
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if lines[lines.count - 1].last == "\r" { lines[lines.count - 1].removeLast() }
                lines.append([])
            } else {
                lines[lines.count - 1].append(scalar)
            }
        }
        self.lines = lines
    }

    /// The scalar at a 0-based line and column; `"\n"` just past a line's end,
    /// nil outside the text.
    func scalar(line: Int, column: Int) -> Unicode.Scalar? {
        guard line >= 0, line < lines.count, column >= 0 else { return nil }
        let l = lines[line]
        if column < l.count { return l[column] }
        return column == l.count && line + 1 < lines.count ? "\n" : nil
    }

    /// True when the rest of the line from `column` is blank.
    func restIsBlank(line: Int, column: Int) -> Bool {
        guard line >= 0, line < lines.count else { return true }
        let l = lines[line]
        var c = max(0, column)
        while c < l.count {
            if l[c] != " " && l[c] != "\t" { return false }
            c += 1
        }
        return true
    }

    func isBlankLine(_ line: Int) -> Bool { restIsBlank(line: line, column: 0) }

    func indentation(ofLine line: Int) -> Int {
        guard line >= 0, line < lines.count else { return 0 }
        var c = 0
        while c < lines[line].count, lines[line][c] == " " { c += 1 }
        return c
    }
}

/// A 1-based place in a file.
struct SourcePosition: Equatable, Sendable {
    var line: Int
    var column: Int
}
