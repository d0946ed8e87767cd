/// Why a row could not be written as JSON. Like decode errors these are data
/// (the engine dead-letters the record), never a trap.
public struct EncodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalidUTF8       // a string cell holds bytes that are not UTF-8
        case spanOutOfRange    // a cell's span points outside the row's arena
        case slotOutOfRange    // the layout names a slot the row does not have
        case membersMismatch   // captured members do not belong to the given original bytes
        case generator         // yajl's generator refused a value
    }

    public var kind: Kind
    /// The output field at fault, when there is one.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, field: String? = nil, _ message: String) {
        self.kind = kind; self.field = field; self.message = message
    }

    public var description: String {
        if let field { return "\(kind.rawValue) in field \"\(field)\": \(message)" }
        return "\(kind.rawValue): \(message)"
    }
}
