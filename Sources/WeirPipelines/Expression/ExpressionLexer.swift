/// Splits expression text into tokens (operates on UTF-8 bytes; offsets are
/// byte offsets into the text).
struct ExpressionLexer {
    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static func tokenize(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [ExpressionToken] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8? {
        i + k < bytes.count ? bytes[i + k] : nil
    }

    mutating func next() throws(ExpressionError) -> ExpressionToken {
        while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        let start = i
        guard let b = peek() else { return ExpressionToken(kind: .end, offset: i, length: 0) }
        func token(_ kind: ExpressionToken.Kind, _ length: Int) -> ExpressionToken {
            i = start + length
            return ExpressionToken(kind: kind, offset: start, length: length)
        }
        switch b {
        case UInt8(ascii: "."):
            if let d = peek(1), isDigit(d) { return try number() }
            return token(.dot, 1)
        case UInt8(ascii: ","): return token(.comma, 1)
        case UInt8(ascii: "("): return token(.leftParen, 1)
        case UInt8(ascii: ")"): return token(.rightParen, 1)
        case UInt8(ascii: "+"): return token(.plus, 1)
        case UInt8(ascii: "-"): return token(.minus, 1)
        case UInt8(ascii: "*"): return token(.star, 1)
        case UInt8(ascii: "/"): return token(.slash, 1)
        case UInt8(ascii: "%"): return token(.percent, 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return token(.equal, 2) }
            throw ExpressionError(offset: start, message: "unexpected '='; use '==' to compare")
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return token(.notEqual, 2) }
            throw ExpressionError(offset: start, message: "unexpected '!'; use 'not' to negate")
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return token(.lessOrEqual, 2) }
            if peek(1) == UInt8(ascii: ">") { return token(.notEqual, 2) }
            return token(.less, 1)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") { return token(.greaterOrEqual, 2) }
            return token(.greater, 1)
        case UInt8(ascii: "&") where peek(1) == UInt8(ascii: "&"):
            throw ExpressionError(offset: start, message: "unexpected '&&'; use 'and'")
        case UInt8(ascii: "|") where peek(1) == UInt8(ascii: "|"):
            throw ExpressionError(offset: start, message: "unexpected '||'; use 'or' (and '+' or concat() to join strings)")
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return try string(quote: b)
        case UInt8(ascii: "`"):
            return try quotedIdentifier()
        default:
            if isDigit(b) { return try number() }
            if isIdentifierStart(b) { return identifier() }
            throw ExpressionError(offset: start, message: "unexpected character \(describe(at: start))")
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }

    private func describe(at offset: Int) -> String {
        // Show the whole UTF-8 character, not just its first byte.
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'\(String(decoding: bytes[offset..<end], as: UTF8.self))'"
    }

    private mutating func identifier() -> ExpressionToken {
        let start = i
        while let b = peek(), isIdentifierStart(b) || isDigit(b) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if let k = ExpressionToken.Keyword(rawValue: text.lowercased()) {
            return ExpressionToken(kind: .keyword(k), offset: start, length: i - start)
        }
        return ExpressionToken(kind: .identifier(text), offset: start, length: i - start)
    }

    private mutating func quotedIdentifier() throws(ExpressionError) -> ExpressionToken {
        let start = i
        i += 1
        let nameStart = i
        while let b = peek(), b != UInt8(ascii: "`") { i += 1 }
        guard peek() != nil else {
            throw ExpressionError(offset: start, message: "unterminated name: a '`' opened here is never closed")
        }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
        i += 1
        guard !name.isEmpty else { throw ExpressionError(offset: start, message: "empty name between backticks") }
        return ExpressionToken(kind: .quotedIdentifier(name), offset: start, length: i - start)
    }

    private mutating func number() throws(ExpressionError) -> ExpressionToken {
        let start = i
        var isDecimal = false
        while let b = peek(), isDigit(b) { i += 1 }
        if peek() == UInt8(ascii: "."), let d = peek(1), isDigit(d) {
            isDecimal = true
            i += 1
            while let b = peek(), isDigit(b) { i += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var k = 1
            if let s = peek(1), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { k = 2 }
            if let d = peek(k), isDigit(d) {
                isDecimal = true
                i += k
                while let b = peek(), isDigit(b) { i += 1 }
            }
        }
        if let b = peek(), isIdentifierStart(b) {
            throw ExpressionError(offset: start, message: "malformed number: a name cannot start with a digit")
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isDecimal {
            guard let d = Double(text), d.isFinite else {
                throw ExpressionError(offset: start, message: "number \(text) is out of range")
            }
            return ExpressionToken(kind: .decimal(d), offset: start, length: i - start)
        }
        guard let v = UInt64(text), v <= UInt64(Int64.max) + 1 else {
            throw ExpressionError(offset: start, message: "integer \(text) does not fit in 64 bits (largest is 9223372036854775807)")
        }
        return ExpressionToken(kind: .integer(v), offset: start, length: i - start)
    }

    private mutating func string(quote: UInt8) throws(ExpressionError) -> ExpressionToken {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek() else {
                throw ExpressionError(offset: start, message: "unterminated string: the quote opened here is never closed")
            }
            if b == quote {
                // SQL style: a doubled quote stands for one quote character.
                if peek(1) == quote { out.append(quote); i += 2; continue }
                i += 1
                break
            }
            if b == UInt8(ascii: "\\") {
                guard let e = peek(1) else {
                    throw ExpressionError(offset: i, message: "unterminated string: '\\' at the end")
                }
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A); i += 2
                case UInt8(ascii: "t"): out.append(0x09); i += 2
                case UInt8(ascii: "r"): out.append(0x0D); i += 2
                case UInt8(ascii: "0"): out.append(0x00); i += 2
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                    out.append(e); i += 2
                case UInt8(ascii: "u"):
                    let escapeStart = i
                    guard i + 6 <= bytes.count,
                          let v = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(v) else {
                        throw ExpressionError(offset: escapeStart, message: "bad escape: '\\u' needs four hex digits of a Unicode scalar")
                    }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += 6
                default:
                    throw ExpressionError(offset: i, message: "unknown escape '\\\(describe(at: i + 1).dropFirst().dropLast())'; known escapes: \\n \\t \\r \\0 \\\\ \\' \\\" \\uXXXX")
                }
                continue
            }
            out.append(b)
            i += 1
        }
        return ExpressionToken(kind: .string(out), offset: start, length: i - start)
    }
}
