import WeirFormats

/// Confluent's compatibility levels: which earlier versions a new schema
/// under a subject is checked against, and in which direction.
public enum CompatibilityLevel: String, Sendable, Codable, CaseIterable {
    case none = "NONE"
    case backward = "BACKWARD"                     // the new schema reads data written with the latest
    case backwardTransitive = "BACKWARD_TRANSITIVE" // ... with every earlier version
    case forward = "FORWARD"                       // the latest reads data written with the new schema
    case forwardTransitive = "FORWARD_TRANSITIVE"
    case full = "FULL"                             // both, against the latest
    case fullTransitive = "FULL_TRANSITIVE"

    var transitive: Bool { self == .backwardTransitive || self == .forwardTransitive || self == .fullTransitive }
    var backward: Bool { self == .backward || self == .backwardTransitive || self == .full || self == .fullTransitive }
    var forward: Bool { self == .forward || self == .forwardTransitive || self == .full || self == .fullTransitive }

    /// Why `new` may not follow `earlier` (oldest first); empty when it may.
    /// Real Avro resolution checks (`AvroResolution`) in each direction asked.
    func problems(new: AvroSchema, earlier: [AvroSchema]) -> [String] {
        guard self != .none, let latest = earlier.last else { return [] }
        let against = transitive ? earlier : [latest]
        var out: [String] = []
        for old in against {
            if backward {
                out += AvroResolution.problems(writer: old.root, reader: new.root).map { "reading data written with an earlier schema: \($0)" }
            }
            if forward {
                out += AvroResolution.problems(writer: new.root, reader: old.root).map { "an earlier schema reading new data: \($0)" }
            }
        }
        return out
    }
}
