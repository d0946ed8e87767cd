/// One member of the top-level object, as byte offsets into the bytes given
/// to `JSONRowDecoder.decode` (a Confluent frame, if any, included).
public struct JSONMember: Equatable, Sendable, BitwiseCopyable {
    public var keyStart: Int32     // the opening quote of the key
    public var keyEnd: Int32       // just past the closing quote
    public var valueStart: Int32
    public var valueEnd: Int32
    /// The key is one the edited output leaves out (removed or replaced).
    public var dropped: Bool

    public init(keyStart: Int32, keyEnd: Int32, valueStart: Int32, valueEnd: Int32, dropped: Bool) {
        self.keyStart = keyStart; self.keyEnd = keyEnd
        self.valueStart = valueStart; self.valueEnd = valueEnd; self.dropped = dropped
    }
}

/// The top-level members the decoder captured for the last record, in input
/// order. A view into the decoder's reusable storage: valid until the
/// decoder's next `decode` call, not to be kept.
public struct JSONTopLevelMembers: RandomAccessCollection {
    let base: UnsafePointer<JSONMember>?
    public let count: Int
    /// Byte count of the input these offsets refer to (checked by the encoder).
    public let inputCount: Int

    init(base: UnsafePointer<JSONMember>?, count: Int, inputCount: Int) {
        self.base = base; self.count = base == nil ? 0 : count; self.inputCount = inputCount
    }

    /// No members (an input that is not a captured JSON object).
    public static var empty: JSONTopLevelMembers { JSONTopLevelMembers(base: nil, count: 0, inputCount: 0) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(i: Int) -> JSONMember {
        precondition(i >= 0 && i < count, "member index out of range")   // caller bug, not input
        return base.unsafelyUnwrapped[i]
    }
}
