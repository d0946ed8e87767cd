/// A YAML file as lines, with what `--update` needs to find where a block
/// node ends: indentation, blank and comment lines, the end of a flow
/// collection. Lines and columns are 1-based, columns in Unicode scalars
/// (as libyaml counts them).
struct YAMLLines {
    var lines: [[Unicode.Scalar]]
    /// The text ended with a line break.
    let endsWithNewline: Bool

    init(_ text: String) {
        var lines: [[Unicode.Scalar]] = [[]]
        for u in text.unicodeScalars {
            if u == "\n" { lines.append([]) } else { lines[lines.count - 1].append(u) }
        }
        endsWithNewline = lines.count > 1 && lines[lines.count - 1].isEmpty
        if endsWithNewline { lines.removeLast() }
        self.lines = lines
    }

    var text: String {
        var out = ""
        for (i, l) in lines.enumerated() {
            if i > 0 { out += "\n" }
            out.unicodeScalars.append(contentsOf: l)
        }
        return endsWithNewline ? out + "\n" : out
    }

    func line(_ n: Int) -> [Unicode.Scalar] { n >= 1 && n <= lines.count ? lines[n - 1] : [] }

    func indentation(_ n: Int) -> Int {
        let l = line(n)
        var i = 0
        while i < l.count, l[i] == " " { i += 1 }
        return i
    }

    /// Blank, or only a comment.
    func isQuiet(_ n: Int) -> Bool {
        let l = line(n).drop { $0 == " " || $0 == "\t" }
        return l.isEmpty || l.first == "#"
    }

    /// The last line of the block that starts on `start` and whose lines are
    /// indented at least `minIndent` (a compact sequence's `- ` may sit at
    /// `dashIndent`); trailing blank and comment lines are left outside.
    func blockEnd(from start: Int, minIndent: Int, dashIndent: Int? = nil) -> Int {
        var last = start
        var n = start + 1
        while n <= lines.count {
            defer { n += 1 }
            if isQuiet(n) { continue }
            let ind = indentation(n)
            let l = line(n)
            let dash = ind < l.count && l[ind] == "-" && (ind + 1 == l.count || l[ind + 1] == " ")
            if ind >= minIndent || (dashIndent == ind && dash) { last = n; continue }
            break
        }
        return last
    }

    /// Where the flow collection opening at (line, column) closes: its line,
    /// and whether only a comment follows. Quotes are skipped; nil when it never closes.
    func flowEnd(line: Int, column: Int) -> (line: Int, cleanAfter: Bool)? {
        var depth = 0
        var n = line, c = column - 1
        var quote: Unicode.Scalar?
        while n <= lines.count {
            let l = self.line(n)
            while c < l.count {
                let u = l[c]
                if let q = quote {
                    if q == "\"" && u == "\\" { c += 2; continue }
                    if u == q {
                        if q == "'" && c + 1 < l.count && l[c + 1] == "'" { c += 2; continue }
                        quote = nil
                    }
                } else if u == "\"" || u == "'" {
                    quote = u
                } else if u == "#" && (c == 0 || l[c - 1] == " ") {
                    break   // a comment: the rest of the line
                } else if u == "[" || u == "{" {
                    depth += 1
                } else if u == "]" || u == "}" {
                    depth -= 1
                    if depth == 0 {
                        let rest = l[(c + 1)...].drop { $0 == " " || $0 == "\t" }
                        return (n, rest.isEmpty || rest.first == "#")
                    }
                }
                c += 1
            }
            n += 1
            c = 0
        }
        return nil
    }

    /// The text of line `n` before column `column` (what stays when a key's lines are replaced).
    func prefix(_ n: Int, before column: Int) -> String {
        var s = ""
        s.unicodeScalars.append(contentsOf: line(n).prefix(max(0, column - 1)))
        return s
    }
}
