/// How an expected list of records (or state entries) differs from what came
/// out: a summary, why the first differing record differs, and diff lines
/// (` ` same, `-` expected but missing, `+` came out but not expected).
public struct ListMismatch: Sendable, Equatable {
    /// `output`, `deadLetters`, `late`, `state of key u1`.
    public var list: String
    public var summary: String
    public var why: String?
    public var lines: [String]
}

enum ListDiff {
    /// Runs of equal records longer than this are shown as one line.
    static let context = 2

    static func compare<E, A>(_ list: String, expected: [E], actual: [A], anyOrder: Bool,
                              differ: (E, A) -> String?, showE: (E) -> String, showA: (A) -> String) -> ListMismatch? {
        if expected.count == actual.count && zip(expected, actual).allSatisfy({ differ($0, $1) == nil }) { return nil }
        return anyOrder
            ? unordered(list, expected, actual, differ, showE, showA)
            : ordered(list, expected, actual, differ, showE, showA)
    }

    private enum Line { case same(Int, Int), missing(Int), extra(Int) }

    private static func ordered<E, A>(_ list: String, _ e: [E], _ a: [A], _ differ: (E, A) -> String?,
                                      _ showE: (E) -> String, _ showA: (A) -> String) -> ListMismatch? {
        // Longest common subsequence of matching records (lists are small).
        let n = e.count, m = a.count
        var matches = [[Bool]](repeating: [Bool](repeating: false, count: m), count: n)
        for i in 0..<n { for j in 0..<m { matches[i][j] = differ(e[i], a[j]) == nil } }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = matches[i][j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var script: [Line] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && matches[i][j] && lcs[i][j] == lcs[i + 1][j + 1] + 1 { script.append(.same(i, j)); i += 1; j += 1 }
            else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) { script.append(.missing(i)); i += 1 }
            else { script.append(.extra(j)); j += 1 }
        }
        // The first place they part: in that run of changes, the first expected record
        // against the first that came out instead (why they differ), or one missing or extra.
        var why: String?
        if let k = script.firstIndex(where: { if case .same = $0 { return false }; return true }) {
            let block = script[k...].prefix { if case .same = $0 { return false }; return true }
            let x = block.lazy.compactMap { line -> Int? in if case .missing(let x) = line { return x }; return nil }.first
            let y = block.lazy.compactMap { line -> Int? in if case .extra(let y) = line { return y }; return nil }.first
            switch (x, y) {
            case (let x?, let y?): why = differ(e[x], a[y]).map { "expected #\(x + 1), came out #\(y + 1): \($0)" }
            case (let x?, nil): why = "expected #\(x + 1) did not come out"
            case (nil, let y?): why = "#\(y + 1) came out, not expected"
            case (nil, nil): break
            }
        }
        var lines: [String] = []
        var run: [String] = []
        func flushRun(last: Bool) {
            if run.count > 2 * context + 1 {
                let head = lines.isEmpty ? [] : Array(run.prefix(context))
                let tail = last ? [] : Array(run.suffix(context))
                lines += head
                lines.append("  … \(run.count - head.count - tail.count) equal")
                lines += tail
            } else {
                lines += run
            }
            run = []
        }
        for line in script {
            switch line {
            case .same(_, let y): run.append("  #\(y + 1) \(showA(a[y]))")
            case .missing(let x): flushRun(last: false); lines.append("- #\(x + 1) \(showE(e[x]))")
            case .extra(let y): flushRun(last: false); lines.append("+ #\(y + 1) \(showA(a[y]))")
            }
        }
        flushRun(last: true)
        return ListMismatch(list: list, summary: "\(n) expected, \(m) came out", why: why, lines: lines)
    }

    private static func unordered<E, A>(_ list: String, _ e: [E], _ a: [A], _ differ: (E, A) -> String?,
                                        _ showE: (E) -> String, _ showA: (A) -> String) -> ListMismatch? {
        var used = [Bool](repeating: false, count: a.count)
        var missing: [Int] = []
        for (i, x) in e.enumerated() {
            if let j = a.indices.first(where: { !used[$0] && differ(x, a[$0]) == nil }) { used[j] = true } else { missing.append(i) }
        }
        let extra = a.indices.filter { !used[$0] }
        if missing.isEmpty && extra.isEmpty { return nil }
        var why: String?
        if let x = missing.first {
            why = extra.first.flatMap { y in differ(e[x], a[y]).map { "expected #\(x + 1), came out #\(y + 1): \($0)" } }
                ?? "expected #\(x + 1) did not come out"
        } else if let y = extra.first {
            why = "#\(y + 1) came out, not expected"
        }
        let lines = missing.map { "- #\($0 + 1) \(showE(e[$0]))" } + extra.map { "+ #\($0 + 1) \(showA(a[$0]))" }
        return ListMismatch(list: list, summary: "\(e.count) expected in any order, \(a.count) came out; \(missing.count) not found, \(extra.count) not expected",
                            why: why, lines: lines)
    }
}
