/// A completed (or timed-out) match: the events in match order, each with the
/// stage that took it and its timestamp.
public struct Match<Event> {
    public struct Entry {
        public var stage: String
        public var event: Event
        public var timestamp: Int64
    }

    public var entries: [Entry]

    /// The events `stage` took, in order.
    public func events(_ stage: String) -> [Event] { entries.filter { $0.stage == stage }.map(\.event) }

    /// Stage names in order of their first event, each with its events
    /// (Flink's `Map<String, List<IN>>`).
    public var byStage: [(stage: String, events: [Event])] {
        var out: [(String, [Event])] = []
        for e in entries {
            if let i = out.firstIndex(where: { $0.0 == e.stage }) { out[i].1.append(e.event) } else { out.append((e.stage, [e.event])) }
        }
        return out
    }

    public var startTimestamp: Int64 { entries.first?.timestamp ?? 0 }
    public var endTimestamp: Int64 { entries.last?.timestamp ?? 0 }
}

/// A partial match that `within` timed out, with what it had matched and the
/// time it timed out at (first event + within).
public struct TimedOutMatch<Event> {
    public var match: Match<Event>
    public var timeoutTimestamp: Int64
}
