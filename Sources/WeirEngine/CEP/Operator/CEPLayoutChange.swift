/// Names what differs between the layout signature a CEP snapshot was written
/// with and the operator's own (`CEPOperator.layoutSignature`), so that a
/// savepoint of an edited pattern is refused saying what changed, as a
/// window's is ("window size was 1m, is now 5m"). Best effort over the
/// signature's text: the refusal itself is decided by the signatures differing.
enum CEPLayoutChange {
    static func describe(saved: String, current: String) -> String {
        let old = parts(saved), new = parts(current)
        if old.keys != new.keys { return "key fields were \(old.keys), are now \(new.keys)" }
        if old.stages != new.stages { return "pattern stages were \(old.stages), are now \(new.stages)" }
        if old.time != new.time { return "time was \(old.time), is now \(new.time)" }
        if old.within != new.within { return "within was \(ms(old.within)), is now \(ms(new.within))" }
        if old.skip != new.skip { return "afterMatch was \(old.skip), is now \(new.skip)" }
        // The compiler builds states from the last stage back, so the first state
        // that differs belongs to the stage that changed (later ones shift only numbers).
        for (o, n) in zip(old.states, new.states) where o != n {
            return "stage '\(stageName(n))' changed its quantifier, contiguity, optional or greedy (the automaton differs)"
        }
        return "the automaton of pattern stages \(new.stages) changed (quantifier, contiguity, optional or greedy)"
    }

    private struct Parts {
        var keys = "", stages = "", time = "", within = "", skip = ""
        var states: [String] = []
    }

    private static func parts(_ signature: String) -> Parts {
        var p = Parts()
        for field in signature.split(separator: "|", omittingEmptySubsequences: false) {
            let f = String(field)
            if let v = value(f, "keys=") { p.keys = v } else if let v = value(f, "stages=") { p.stages = v }
            else if let v = value(f, "time=") { p.time = v } else if let v = value(f, "within=") { p.within = v }
            else if let v = value(f, "skip=") { p.skip = v } else { p.states.append(f) }
        }
        return p
    }

    private static func value(_ field: String, _ prefix: String) -> String? {
        field.hasPrefix(prefix) ? String(field.dropFirst(prefix.count)) : nil
    }

    /// A state's stage: its name up to the first ':' (stage names cannot hold one).
    private static func stageName(_ state: String) -> String {
        String(state.prefix { $0 != ":" && $0 != "," })
    }

    private static func ms(_ text: String) -> String {
        guard let v = Int64(text) else { return text }
        return v == 0 ? "none" : "\(v) ms"
    }
}
