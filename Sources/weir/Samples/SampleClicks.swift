/// Realistic click events for `weir dev --generate` and `weir bench`:
/// deterministic (seeded), mostly valid, with a few malformed records so the
/// dead-letter path is exercised too.
struct SampleClicks {
    private var state: UInt64
    private let malformedEvery: Int
    private let users: Int
    private(set) var index = 0
    static let baseTime: Int64 = 1_795_600_800_000  // 2026-11-25T10:00:00Z
    /// Key and value of one event with its share of record and batch headers, for
    /// the embedded broker's capacity check: values average 194 bytes (measured
    /// over 1,000 events, at most 197), keys 5, headers about 10. Avro ones are smaller.
    static let approximateBytes = 210

    /// `firstIndex`: events continue a sequence written before (their times go on from there).
    init(seed: UInt64 = 42, malformedEvery: Int = 200, users: Int = 10_000, firstIndex: Int = 0) {
        state = seed; self.malformedEvery = malformedEvery; self.users = max(1, users); index = max(0, firstIndex)
    }

    /// SplitMix64: tiny, fast, and the same sequence on every machine.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    private static let events = ["click", "click", "click", "click", "click", "click", "view", "view", "scroll", "click"]
    private static let hosts = ["Shop.Example", "shop.example", "BLOG.example", "docs.Example"]
    /// A user's country, fixed per user (its number picks it: no random draw, so
    /// every other field is what it was before the field existed); weighted by repeats.
    private static let countries = ["DE", "US", "US", "FR", "GB", "DE", "NL", "US", "ES", "IT", "PL", "SE", "JP", "BR", "DE", "CA"]
    static func country(ofUser n: Int) -> String { countries[(n &* 7 &+ 3) % countries.count] }

    /// The next event as (key, JSON value).
    mutating func nextEvent() -> (key: String, value: String) {
        index += 1
        let userNumber = below(users)
        let user = "u\(userNumber)"
        if malformedEvery > 0 && index % malformedEvery == 0 {
            return (user, "{\"event\":\"click\",\"user_id\":\"\(user)\",\"amount\":")   // truncated on purpose
        }
        let event = Self.events[below(Self.events.count)]
        let host = Self.hosts[below(Self.hosts.count)]
        let duration = below(20) == 0 ? -1 : below(30_000)
        let cents = 1 + below(50_000)
        let ts = Self.baseTime + Int64(index) * 3 - Int64(below(2000))
        let value = "{\"event\":\"\(event)\",\"user_id\":\"\(user)\",\"country\":\"\(Self.country(ofUser: userNumber))\",\"page\":{\"url\":\"https://\(host.lowercased())/p/\(below(1000))\",\"host\":\"\(host)\"},\"duration_ms\":\(duration),\"amount\":\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100),\"ts\":\(ts),\"debug\":{\"trace\":\"t\(index)\"}}"
        return (user, value)
    }
}
