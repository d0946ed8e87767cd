import WeirEngine
import WeirFormats
import Yams

/// `time:` — event time from a field or the Kafka timestamp, with a watermark;
/// or processing time.
///
/// ```yaml
/// time:
///   eventTime: {field: ts, format: epochMillis}   # or {kafkaTimestamp: true}
///   watermark: {maxOutOfOrderness: 2s, idleTimeout: 30s}
/// time: {processingTime: true}
/// ```
enum TimeLoader {
    static let formats: [(name: String, format: TimestampFormat)] = [
        ("epochMillis", .epochMillis), ("epochSeconds", .epochSeconds), ("iso8601", .iso8601),
    ]

    static func load(_ node: Node, _ reader: inout YAMLReader) -> TimeDefinition? {
        guard let m = reader.mapping(node, "time", known: ["eventTime", "processingTime", "watermark"],
                                     expected: "a mapping with eventTime (and watermark) or processingTime") else { return nil }
        let location = reader.location("time", node)
        var watermarkLocation: SourceLocation?
        var ooo: Int64 = 0
        var idle: Int64?
        var ok = true
        if let w = m["watermark"], let wm = reader.mapping(w, m.path("watermark"), known: ["maxOutOfOrderness", "idleTimeout"]) {
            watermarkLocation = reader.location(m.path("watermark"), w)
            if let v = wm["maxOutOfOrderness"] {
                if let d = reader.duration(v, wm.path("maxOutOfOrderness"), in: 0...WindowSpec.maxSizeMs, what: "maxOutOfOrderness") { ooo = d } else { ok = false }
            }
            if let v = wm["idleTimeout"] {
                if let d = reader.duration(v, wm.path("idleTimeout"), in: 1...WindowSpec.maxSizeMs, what: "idleTimeout") { idle = d } else { ok = false }
            }
        } else if m["watermark"] != nil {
            ok = false
        }
        switch (m.entry("eventTime"), m.entry("processingTime")) {
        case (nil, nil):
            reader.error("time.eventTime", at: m.position, "missing 'eventTime' (e.g. eventTime: {field: ts, format: epochMillis}) or 'processingTime: true'")
            return nil
        case (.some, .some(let p)):
            reader.error("time.processingTime", p.keyNode, "use either 'eventTime' or 'processingTime', not both")
            return nil
        case (nil, .some(let p)):
            guard let on = reader.bool(p.value, "time.processingTime") else { return nil }
            guard on else {
                reader.error("time.processingTime", p.value, "processingTime: false means event time: write eventTime instead")
                return nil
            }
            if let w = m.entry("watermark") {
                reader.error("time.watermark", w.keyNode, "processing time has no watermark; remove 'watermark' or use eventTime")
                return nil
            }
            return ok ? TimeDefinition(kind: .processingTime, maxOutOfOrdernessMs: 0, idleTimeoutMs: nil,
                                       watermarkLocation: nil, location: location) : nil
        case (.some(let e), nil):
            guard let kind = eventTime(e.value, "time.eventTime", &reader), ok else { return nil }
            return TimeDefinition(kind: kind, maxOutOfOrdernessMs: ooo, idleTimeoutMs: idle,
                                  watermarkLocation: watermarkLocation, location: location)
        }
    }

    private static func eventTime(_ node: Node, _ field: String, _ reader: inout YAMLReader) -> TimeDefinition.Kind? {
        guard let m = reader.mapping(node, field, known: ["field", "format", "kafkaTimestamp"],
                                     expected: "a mapping {field: name, format: epochMillis} or {kafkaTimestamp: true}") else { return nil }
        switch (m.entry("field"), m.entry("kafkaTimestamp")) {
        case (nil, nil):
            reader.error(m.path("field"), at: m.position, "missing 'field' (the record's time field) or 'kafkaTimestamp: true'")
            return nil
        case (.some, .some(let k)):
            reader.error(m.path("kafkaTimestamp"), k.keyNode, "use either 'field' or 'kafkaTimestamp', not both")
            return nil
        case (nil, .some(let k)):
            if let f = m.entry("format") {
                reader.error(m.path("format"), f.keyNode, "'format' is for a time field; the Kafka timestamp is epoch milliseconds")
                return nil
            }
            guard let on = reader.bool(k.value, m.path("kafkaTimestamp")) else { return nil }
            guard on else {
                reader.error(m.path("kafkaTimestamp"), k.value, "kafkaTimestamp: false: name a time field with 'field' instead")
                return nil
            }
            return .kafkaTimestamp
        case (.some(let f), nil):
            guard let text = reader.string(f.value, m.path("field"), expected: "a field name such as ts or meta.time") else { return nil }
            guard let path = FieldPath(parsing: text) else {
                reader.error(m.path("field"), f.value, "expected a field name such as ts or meta.time, found '\(text)'")
                return nil
            }
            var format = TimestampFormat.epochMillis
            if let fm = m["format"] {
                let names = formats.map(\.name)
                guard let s = reader.string(fm, m.path("format"), expected: "a time format (\(names.joined(separator: ", ")))") else { return nil }
                guard let found = formats.first(where: { $0.name == s }) else {
                    reader.error(m.path("format"), fm, "unknown time format '\(s)'\(ClosestMatch.hint(for: s, among: names)) (expected one of: \(names.joined(separator: ", ")))")
                    return nil
                }
                format = found.format
            }
            return .field(Located(path, at: reader.location(m.path("field"), f.value)), format)
        }
    }
}
