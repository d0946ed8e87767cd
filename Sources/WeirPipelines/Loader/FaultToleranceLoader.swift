import WeirEngine
import Yams

/// `checkpoint:` and `restart:` — how often a job checkpoints and what it does
/// when a task fails (Flink's checkpoint interval and restart strategies).
///
/// ```yaml
/// checkpoint: {interval: 5s}
/// restart: {fixedDelay: {attempts: 3, delay: 10s}}
/// restart: {exponentialDelay: {initial: 1s, max: 1m, multiplier: 2, attempts: 10, resetAfter: 10m}}
/// restart: none
/// ```
enum FaultToleranceLoader {
    static func checkpointInterval(_ node: Node, _ reader: inout YAMLReader) -> Int64? {
        guard let m = reader.mapping(node, "checkpoint", known: ["interval"], expected: "a mapping with interval (e.g. {interval: 5s})"),
              let i = m.require("interval", "the checkpoint interval", in: &reader) else { return nil }
        return reader.duration(i, m.path("interval"), in: 10...3_600_000, what: "a checkpoint interval from 10ms to 1h")
    }

    static func restart(_ node: Node, _ reader: inout YAMLReader) -> RestartStrategy? {
        if case .scalar(let s) = node, s.string == "none" { return RestartStrategy.none }
        guard let m = reader.mapping(node, "restart", known: ["fixedDelay", "exponentialDelay", "none"],
                                     expected: "none, {fixedDelay: {...}} or {exponentialDelay: {...}}") else { return nil }
        guard m.entries.count == 1, let entry = m.entries.first else {
            reader.error("restart", node, "expected exactly one of fixedDelay, exponentialDelay or none")
            return nil
        }
        let field = m.path(entry.key)
        switch entry.key {
        case "none":
            return RestartStrategy.none
        case "fixedDelay":
            guard let f = reader.mapping(entry.value, field, known: ["attempts", "delay"]),
                  let a = f.require("attempts", "the number of restarts", in: &reader),
                  let attempts = reader.int(a, f.path("attempts"), in: 0...1_000_000) else { return nil }
            var delay: Int64 = 10_000
            if let d = f["delay"] { guard let v = reader.duration(d, f.path("delay"), in: 0...86_400_000, what: "a delay") else { return nil }; delay = v }
            return .fixedDelay(attempts: attempts, delayMs: Int(delay))
        default:
            guard let e = reader.mapping(entry.value, field, known: ["initial", "max", "multiplier", "attempts", "resetAfter"]) else { return nil }
            var initial: Int64 = 1_000, maxDelay: Int64 = 300_000, reset: Int64 = 3_600_000
            var multiplier = 2.0
            var attempts: Int?
            if let v = e["initial"] { guard let d = reader.duration(v, e.path("initial"), in: 1...86_400_000, what: "a delay") else { return nil }; initial = d }
            if let v = e["max"] { guard let d = reader.duration(v, e.path("max"), in: 1...86_400_000, what: "a delay") else { return nil }; maxDelay = d }
            if let v = e["resetAfter"] { guard let d = reader.duration(v, e.path("resetAfter"), in: 1...604_800_000, what: "a duration") else { return nil }; reset = d }
            if let v = e["attempts"] { guard let a = reader.int(v, e.path("attempts"), in: 0...1_000_000) else { return nil }; attempts = a }
            if let v = e["multiplier"] {
                guard case .scalar(let s) = v, let x = Double(s.string), x >= 1, x <= 100 else {
                    reader.error(e.path("multiplier"), v, "expected a number from 1 to 100")
                    return nil
                }
                multiplier = x
            }
            guard initial <= maxDelay else {
                reader.error(e.path("initial"), entry.value, "initial (\(initial) ms) is above max (\(maxDelay) ms)")
                return nil
            }
            return .exponentialDelay(initialMs: Int(initial), maxMs: Int(maxDelay), multiplier: multiplier,
                                     attempts: attempts, resetAfterMs: Int(reset))
        }
    }
}
