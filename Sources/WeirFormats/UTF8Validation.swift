/// Strict UTF-8 check (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF).
///
/// yajl's lexer only checks the shape of multi-byte sequences (lead byte and
/// continuation bytes), so it lets overlong forms and encoded surrogates
/// through; the decoder runs this over the whole document first (mostly the
/// eight-bytes-at-a-time ASCII path), and the encoder over strings it writes,
/// because the generator copies non-ASCII bytes as they are.
enum UTF8Validation {
    enum Result: Equatable {
        case valid
        case invalid(at: Int)
        /// The bytes end inside a sequence that is valid so far (a cut document).
        case incomplete(at: Int)
    }

    static func isValid(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool { check(p, count: n) == .valid }

    static func check(_ p: UnsafePointer<UInt8>, count n: Int) -> Result {
        var i = 0
        while i < n {
            // ASCII runs, eight bytes at a time.
            while i + 8 <= n, UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b0 = p[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF    // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0            // shorter forms are overlong
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F          // U+D800...U+DFFF are not characters
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F          // beyond U+10FFFF
            default: return .invalid(at: i)
            }
            if i + 1 >= n { return .incomplete(at: i) }
            guard p[i + 1] >= low, p[i + 1] <= high else { return .invalid(at: i) }
            var k = 2
            while k < length {
                if i + k >= n { return .incomplete(at: i) }
                guard p[i + k] & 0xC0 == 0x80 else { return .invalid(at: i) }
                k += 1
            }
            i += length
        }
        return .valid
    }
}
