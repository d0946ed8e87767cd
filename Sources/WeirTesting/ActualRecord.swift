import WeirEngine
import WeirFormats
import WeirPipelines

/// A record that came out of the pipeline, as a test compares it: its value
/// decoded (JSON, or Avro rendered as JSON by its schema) when it can be.
struct ActualRecord: Sendable {
    var record: TestRecord
    /// The value as data; nil when it is not JSON (nor Avro the registry knows) or there is none.
    var value: TestValue?
    /// Dead letters: the error class and message.
    var errorClass: String?
    var message: String?

    init(_ record: TestRecord, driver: PipelineTestDriver) {
        self.record = record
        if let bytes = record.value {
            // Avro rendered as JSON; JSON; or JSON behind a Confluent frame (json-schema sinks).
            value = driver.avroJSON(bytes).flatMap(JSONText.parse) ?? JSONText.parse(bytes)
            if value == nil, bytes.count > ConfluentFrame.headerSize, bytes[0] == ConfluentFrame.magicByte {
                value = JSONText.parse(Array(bytes[ConfluentFrame.headerSize...]))
            }
        }
    }

    init(_ dead: TestDeadLetter, driver: PipelineTestDriver) {
        self.init(dead.record, driver: driver)
        errorClass = dead.errorClass.rawValue
        message = dead.message
    }

    /// How a diff shows it: `{key: u1, value: {…}}`, in the test file's own notation.
    var shown: String {
        var parts: [String] = []
        if let e = errorClass { parts.append("error: \(e)") }
        if let k = record.keyText { parts.append("key: \(TestValue.string(k).flow)") }
        if let v = value { parts.append("value: \(v.flow)") }
        else if let t = record.valueText { parts.append("raw: \(TestValue.string(t).flow)") }
        else { parts.append("raw: null") }
        if let m = message { parts.append("message: \(TestValue.string(m).flow)") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// The record as a test file would expect it (`--update`).
    func expectedForm(includeMessage: Bool) -> TestValue {
        var members: [TestValue.Member] = []
        if let e = errorClass { members.append(.init("error", .string(e))) }
        if includeMessage, let m = message { members.append(.init("message", .string(m))) }
        if let k = record.keyText { members.append(.init("key", .string(k))) }
        if let v = value { members.append(.init("value", v)) }
        else if let t = record.valueText { members.append(.init("raw", .string(t))) }
        else { members.append(.init("raw", .null)) }
        return .object(members)
    }
}

extension ExpectedRecord {
    /// nil when `actual` is what this expects; else why not.
    func difference(from actual: ActualRecord, tolerance: Double) -> String? {
        if let cls = errorClass, cls != actual.errorClass {
            return "error: expected \(cls), found \(actual.errorClass ?? "none")" + (actual.message.map { " (\($0))" } ?? "")
        }
        if let key {
            switch (key, actual.record.keyText) {
            case (nil, nil): break
            case (nil, let found?): return "key: expected none, found \(TestValue.string(found).flow)"
            case (let k?, nil): return "key: expected \(TestValue.string(k).flow), found none"
            case (let k?, let found?): if k != found { return "key: expected \(TestValue.string(k).flow), found \(TestValue.string(found).flow)" }
            }
        }
        switch value {
        case nil: break
        case .none?:
            if let t = actual.record.valueText { return "value: expected none, found \(TestValue.string(t).flow)" }
        case .raw(let text)?:
            guard let found = actual.record.valueText else { return "raw: expected \(TestValue.string(text).flow), found no value" }
            if found != text { return "raw: expected \(TestValue.string(text).flow), found \(TestValue.string(found).flow)" }
        case .structured(let v)?:
            guard let found = actual.value else {
                if let t = actual.record.valueText { return "value: expected \(v.flow), found text that is not JSON: \(TestValue.string(t).flow) (compare text with raw:)" }
                return "value: expected \(v.flow), found no value"
            }
            if let d = ValueComparison.difference(v, found, at: "value", tolerance: tolerance) { return d }
        }
        for h in headers {
            guard let found = actual.record.header(h.name) else { return "header \(h.name): missing (expected \(TestValue.string(h.value).flow))" }
            if found != h.value { return "header \(h.name): expected \(TestValue.string(h.value).flow), found \(TestValue.string(found).flow)" }
        }
        if let m = message, !(actual.message ?? "").contains(m) {
            return "message: expected it to contain \(TestValue.string(m).flow), found \(TestValue.string(actual.message ?? "").flow)"
        }
        return nil
    }

    /// How a diff shows what is expected, in the test file's notation.
    var shown: String {
        var parts: [String] = []
        if let e = errorClass { parts.append("error: \(e)") }
        if let key { parts.append("key: \(key.map { TestValue.string($0).flow } ?? "null")") }
        switch value {
        case nil: break
        case .none?: parts.append("raw: null")
        case .raw(let t)?: parts.append("raw: \(TestValue.string(t).flow)")
        case .structured(let v)?: parts.append("value: \(v.flow)")
        }
        if !headers.isEmpty {
            parts.append("headers: " + TestValue.object(headers.map { .init($0.name, .string($0.value)) }).flow)
        }
        if let m = message { parts.append("message: \(TestValue.string(m).flow)") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
