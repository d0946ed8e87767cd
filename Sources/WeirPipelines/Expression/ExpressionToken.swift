/// One token of an expression; `offset` and `length` are in UTF-8 bytes of the
/// expression text.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        /// Unsigned: `-9223372036854775808` is `-` applied to 2^63, checked by the parser.
        case integer(UInt64)
        case decimal(Double)
        case string([UInt8])
        case identifier(String)
        /// A backticked name: never a keyword or function.
        case quotedIdentifier(String)
        case keyword(Keyword)
        case dot, comma, leftParen, rightParen
        case plus, minus, star, slash, percent
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
        case end
    }

    /// Reserved words, matched case-insensitively (`AND` works like `and`).
    enum Keyword: String, CaseIterable {
        case and, or, not, `is`, null, `true`, `false`
    }

    var kind: Kind
    var offset: Int
    var length: Int
}

/// A problem in an expression's text or meaning, at a UTF-8 byte offset of it.
struct ExpressionError: Error, Equatable {
    var offset: Int
    var message: String
}
