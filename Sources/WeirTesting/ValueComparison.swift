import WeirPipelines

/// Compares an expected value with an actual one and says where they first
/// differ. Objects compare by member names (order does not matter, as in
/// JSON), arrays item by item, numbers by value (7 equals 7.0) within the
/// tolerance, everything else exactly.
enum ValueComparison {
    /// nil when equal; else why, naming the path (`value.clicks: expected 3, found 2`).
    static func difference(_ expected: TestValue, _ actual: TestValue, at path: String, tolerance: Double) -> String? {
        switch (expected, actual) {
        case (.null, .null): return nil
        case (.bool(let a), .bool(let b)): return a == b ? nil : mismatch(path, expected, actual)
        case (.string(let a), .string(let b)): return a == b ? nil : mismatch(path, expected, actual)
        case (.number(let a), .number(let b)):
            if a.equals(b, tolerance: tolerance) { return nil }
            let by = tolerance > 0 ? " (more than \(tolerance) apart)" : ""
            return mismatch(path, expected, actual) + by
        case (.array(let a), .array(let b)):
            for (i, (x, y)) in zip(a, b).enumerated() {
                if let d = difference(x, y, at: "\(path)[\(i)]", tolerance: tolerance) { return d }
            }
            return a.count == b.count ? nil : "\(path): expected \(a.count) item\(a.count == 1 ? "" : "s"), found \(b.count): \(actual.flow)"
        case (.object(let a), .object(let b)):
            for m in a {
                guard let found = b.last(where: { $0.name == m.name }) else {
                    return "\(join(path, m.name)): missing (expected \(m.value.flow))"
                }
                if let d = difference(m.value, found.value, at: join(path, m.name), tolerance: tolerance) { return d }
            }
            if let extra = b.first(where: { m in !a.contains { $0.name == m.name } }) {
                return "\(join(path, extra.name)): not expected (found \(extra.value.flow))"
            }
            return nil
        default:
            return "\(path): expected \(kind(expected)) \(expected.flow), found \(kind(actual)) \(actual.flow)"
        }
    }

    private static func mismatch(_ path: String, _ e: TestValue, _ a: TestValue) -> String {
        "\(path): expected \(e.flow), found \(a.flow)"
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    static func kind(_ v: TestValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
