/// "Did you mean" suggestions for misspelt keys, step kinds and functions.
enum ClosestMatch {
    /// The candidate nearest to `word` by edit distance (case-insensitive), if it
    /// is close enough to be a plausible typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(lowered, Array(candidate.lowercased().unicodeScalars))
            if d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        guard let found = best else { return nil }
        // A third of the word (at least 1, at most 3) keeps wild guesses out.
        let limit = max(1, min(3, lowered.count / 3))
        return found.distance <= limit ? found.name : nil
    }

    /// ` (did you mean 'x'?)` or an empty string.
    static func hint(for word: String, among candidates: [String]) -> String {
        guard let s = suggestion(for: word, among: candidates) else { return "" }
        return "; did you mean '\(s)'?"
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    v = min(v, previous2[j - 2] + 1)
                }
                current[j] = v
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
