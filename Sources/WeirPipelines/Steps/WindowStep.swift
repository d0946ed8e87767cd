import WeirEngine
import Yams

/// `- window: {tumbling: 1m, allowedLateness: 10s}` groups each key's records
/// into windows; the aggregate step after it computes their results.
///
/// ```yaml
/// window: {tumbling: 1m}                          # or {tumbling: {size: 1m, offset: 15s}}
/// window: {sliding: {size: 10m, slide: 1m}}       # (offset too)
/// window: {session: {gap: 30s}}                   # or {session: 30s}
/// ```
enum WindowStep {
    static let kinds = ["tumbling", "sliding", "session"]
    static let sizes = 1...WindowSpec.maxSizeMs

    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: kinds + ["allowedLateness"],
                                     expected: "a mapping with a window kind (tumbling, sliding or session)") else { return nil }
        let present = m.entries.filter { kinds.contains($0.key) }
        guard let kind = present.first else {
            reader.error(field, at: m.position, "missing window kind: expected one of: \(kinds.joined(separator: ", ")) (e.g. {tumbling: 1m})")
            return nil
        }
        if present.count > 1 {
            reader.error(m.path(present[1].key), present[1].keyNode, "a window has exactly one kind; found both '\(kind.key)' and '\(present[1].key)'")
            return nil
        }
        var lateness: Int64 = 0
        var latenessLocation: SourceLocation?
        if let l = m.entry("allowedLateness") {
            guard let d = reader.duration(l.value, m.path("allowedLateness"), in: 0...WindowSpec.maxSizeMs, what: "allowedLateness") else { return nil }
            lateness = d
            latenessLocation = reader.location(m.path("allowedLateness"), l.keyNode)
        }
        let path = m.path(kind.key)
        let spec: WindowSpec?
        switch kind.key {
        case "tumbling": spec = tumbling(kind.value, path, &reader)
        case "sliding": spec = sliding(kind.value, path, &reader)
        default: spec = session(kind.value, path, &reader)
        }
        guard let spec else { return nil }
        return .window(WindowDefinition(spec: spec, allowedLatenessMs: lateness, allowedLatenessLocation: latenessLocation))
    }

    private static func tumbling(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> WindowSpec? {
        if case .scalar = node {
            return reader.duration(node, field, in: sizes, what: "the window size").map { .tumbling(sizeMs: $0) }
        }
        guard let m = reader.mapping(node, field, known: ["size", "offset"], expected: "a size (1m) or a mapping {size, offset}"),
              let s = m.require("size", "the window size", in: &reader),
              let size = reader.duration(s, m.path("size"), in: sizes, what: "the window size") else { return nil }
        guard let offset = offset(m, size: size, of: "size", &reader) else { return nil }
        return .tumbling(sizeMs: size, offsetMs: offset)
    }

    private static func sliding(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> WindowSpec? {
        guard let m = reader.mapping(node, field, known: ["size", "slide", "offset"], expected: "a mapping {size: 10m, slide: 1m}") else { return nil }
        guard let sn = m.require("size", "the window size", in: &reader),
              let size = reader.duration(sn, m.path("size"), in: sizes, what: "the window size"),
              let sl = m.require("slide", "how often a window starts", in: &reader),
              let slide = reader.duration(sl, m.path("slide"), in: sizes, what: "the slide") else { return nil }
        guard slide <= size else {
            reader.error(m.path("slide"), sl, "the slide (\(slide) ms) is longer than the window size (\(size) ms): records between windows would be lost; use a slide up to the size (equal is a tumbling window)")
            return nil
        }
        guard let offset = offset(m, size: slide, of: "slide", &reader) else { return nil }
        return .sliding(sizeMs: size, slideMs: slide, offsetMs: offset)
    }

    private static func session(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> WindowSpec? {
        if case .scalar = node {
            return reader.duration(node, field, in: sizes, what: "the session gap").map { .session(gapMs: $0) }
        }
        guard let m = reader.mapping(node, field, known: ["gap"], expected: "a gap (30s) or a mapping {gap: 30s}"),
              let g = m.require("gap", "the inactivity gap that ends a session", in: &reader),
              let gap = reader.duration(g, m.path("gap"), in: sizes, what: "the session gap") else { return nil }
        return .session(gapMs: gap)
    }

    /// `offset:` shifts window starts from the epoch; `0 <= offset < period`.
    private static func offset(_ m: YAMLMapping, size: Int64, of period: String, _ reader: inout YAMLReader) -> Int64? {
        guard let o = m["offset"] else { return 0 }
        guard let offset = reader.duration(o, m.path("offset"), in: 0...WindowSpec.maxSizeMs, what: "the offset") else { return nil }
        guard offset < size else {
            reader.error(m.path("offset"), o, "the offset must be shorter than the \(period) (\(size) ms)")
            return nil
        }
        return offset
    }

    static func compile(_ window: WindowDefinition, step: StepDefinition, into b: inout ProgramBuilder) {
        b.stateful.window = window
        b.stateful.windowStep = step
    }
}
