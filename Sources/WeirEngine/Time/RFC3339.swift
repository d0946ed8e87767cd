/// An allocation-free parser for RFC 3339 / ISO-8601 timestamps over UTF-8
/// bytes, to epoch milliseconds.
///
/// Accepts `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM|±HHMM]`.
/// - Fractions of any length are truncated to milliseconds (as `Instant`
///   truncation does), never rounded into the next second.
/// - No offset means UTC (producers often omit the `Z`; Weir runs in UTC).
/// - Second 60 (a leap second) is accepted and counts as the next second.
/// Anything else (calendar-invalid dates, trailing bytes) is rejected.
public enum RFC3339 {
    public static func parseMillis(_ s: UnsafeRawBufferPointer) -> Int64? {
        let n = s.count
        guard n >= 19 else { return nil }
        var p = 0
        @inline(__always) func digits(_ count: Int) -> Int? {
            guard p + count <= n else { return nil }
            var v = 0
            for _ in 0..<count {
                let d = Int(s[p]) &- 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
                p += 1
            }
            return v
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            guard p < n, s[p] == c else { return false }
            p += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2) else { return nil }
        guard p < n, s[p] == UInt8(ascii: "T") || s[p] == UInt8(ascii: "t") || s[p] == UInt8(ascii: " ") else { return nil }
        p += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
              let second = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var millis = 0
        if p < n && (s[p] == UInt8(ascii: ".") || s[p] == UInt8(ascii: ",")) {
            p += 1
            var count = 0
            while p < n, s[p] >= 48, s[p] <= 57 {
                if count < 3 { millis = millis * 10 + Int(s[p] - 48) }
                count += 1; p += 1
            }
            guard count > 0 else { return nil }
            if count == 1 { millis *= 100 } else if count == 2 { millis *= 10 }
        }
        var offsetSeconds = 0
        if p < n {
            let c = s[p]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                p += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                p += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                guard let om = digits(2), oh <= 23, om <= 59 else { return nil }
                offsetSeconds = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard p == n else { return nil }
        let days = Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return secs * 1000 + Int64(millis)
    }

    @inline(__always) static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inline(__always) static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
