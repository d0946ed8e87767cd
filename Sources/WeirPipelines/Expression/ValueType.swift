import WeirFormats

/// What an expression can produce, as far as is known before any record is
/// seen: a set of kinds. Fields read from records can be anything; literals
/// and most functions are known. Static checks refuse only what can never work.
struct ValueType: OptionSet, Hashable, CustomStringConvertible {
    let rawValue: UInt8
    static let null = ValueType(rawValue: 1)
    static let bool = ValueType(rawValue: 2)
    static let int = ValueType(rawValue: 4)
    static let double = ValueType(rawValue: 8)
    static let string = ValueType(rawValue: 16)
    static let json = ValueType(rawValue: 32)

    static let number: ValueType = [.int, .double]
    static let any: ValueType = [.null, .bool, .int, .double, .string, .json]

    /// The same set as the engine's `CellKinds`.
    var cellKinds: CellKinds {
        var k = CellKinds()
        if contains(.null) { k.insert(.null) }
        if contains(.bool) { k.insert(.bool) }
        if contains(.int) { k.insert(.int) }
        if contains(.double) { k.insert(.double) }
        if contains(.string) { k.insert(.string) }
        if contains(.json) { k.insert(.json) }
        return k
    }

    /// The kinds other than null.
    var nonNull: ValueType { subtracting(.null) }

    /// True when every non-null kind this can be is outside `accepted` (and it
    /// can be something other than null): such an operand always fails.
    func neverFits(_ accepted: ValueType) -> Bool {
        !nonNull.isEmpty && nonNull.isDisjoint(with: accepted)
    }

    /// Adds null when any of `operands` can be null (null in, null out).
    func nullable(if operands: [ValueType]) -> ValueType {
        operands.contains(where: { $0.contains(.null) }) ? union(.null) : self
    }

    var description: String {
        if self == .any { return "any value" }
        var names: [String] = []
        if contains(.bool) { names.append("boolean") }
        if contains(.int) { names.append("integer") }
        if contains(.double) { names.append("decimal") }
        if contains(.string) { names.append("string") }
        if contains(.json) { names.append("object/array") }
        if contains(.null) { names.append("null") }
        return names.isEmpty ? "nothing" : names.joined(separator: " or ")
    }
}
