/// What a condition sees besides the event (Flink's `IterativeCondition.Context`):
/// the events the partial match has taken so far, per stage, and the time.
///
/// One context object per NFA is reused for every partial match and event;
/// the partial match's events are extracted from the shared buffer only when a
/// condition asks (the cost Flink's docs warn of), once per partial match and event.
public final class PatternContext<Event> {
    /// The tested event's timestamp (event time, or processing time on arrival).
    public internal(set) var timestamp: Int64 = 0

    let stageIndex: [String: Int]
    unowned let buffer: SharedBuffer<Event>
    var node: Int32 = -1
    var version = DeweyNumber.empty
    private var extracted = false
    private var byStage: [[Event]]

    init(stageNames: [String], buffer: SharedBuffer<Event>) {
        var idx: [String: Int] = [:]
        for (i, n) in stageNames.enumerated() { idx[n] = i }
        stageIndex = idx
        self.buffer = buffer
        byStage = Array(repeating: [], count: stageNames.count)
    }

    /// Points the context at another partial match (its last node and version).
    func reset(node: Int32, version: DeweyNumber, timestamp: Int64) {
        self.node = node
        self.version = version
        self.timestamp = timestamp
        extracted = false
    }

    /// The events the partial match gave `stage`, in match order (without the
    /// event being tested). Unknown stage names give none.
    public func events(_ stage: String) -> [Event] {
        guard let i = stageIndex[stage] else { return [] }
        extract()
        return byStage[i]
    }

    /// The last event the partial match gave `stage`, if any.
    public func last(_ stage: String) -> Event? { events(stage).last }
    /// The first event the partial match gave `stage`, if any.
    public func first(_ stage: String) -> Event? { events(stage).first }
    /// How many events the partial match gave `stage`.
    public func count(_ stage: String) -> Int { events(stage).count }

    private func extract() {
        guard !extracted else { return }
        extracted = true
        for i in byStage.indices { byStage[i].removeAll(keepingCapacity: true) }
        guard node >= 0, buffer.extractFirstPath(node: node, version: version) else { return }
        for step in buffer.path(0) {
            if let e = buffer.event(step.event) { byStage[Int(step.stage)].append(e) }
        }
    }
}
