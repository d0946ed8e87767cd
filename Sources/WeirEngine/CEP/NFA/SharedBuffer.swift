/// The events of every partial match of one key, stored once and shared
/// (Flink's `SharedBuffer`): a node is an (event, stage) pair; its edges point
/// at the node of the event taken before it, each edge tagged with the Dewey
/// version of the partial match that made it. A partial match is a pointer to
/// its last node plus its version; its events are found by following, from
/// that node, the edges whose version its own is compatible with.
///
/// Lifetime by reference counts, exactly as Flink counts them: a node is
/// locked by every partial match (and every later edge) that points at it, an
/// edge by every partial match whose version is compatible with it, an event
/// by its nodes (and by the NFA while it is being processed). Slots of freed
/// events and nodes are reused, so steady state reuses storage; a new node's
/// edge list and the extracted paths of matches allocate.
public final class SharedBuffer<Event> {
    struct EventEntry {
        var event: Event?
        var timestamp: Int64
        var seq: Int64
        var refs: Int32
        /// The nodes of this event: (stage, node).
        var nodes: [(stage: Int32, node: Int32)]
    }

    struct Edge {
        var target: Int32          // -1: the first event of a match
        var version: DeweyNumber
        var refs: Int32
    }

    struct Node {
        var event: Int32
        var stage: Int32
        var edges: [Edge]
        var refs: Int32
        var live: Bool
    }

    /// One step of an extracted path.
    struct Step { var stage: Int32; var event: Int32 }

    @exclusivity(unchecked) private(set) var events: [EventEntry] = []
    @exclusivity(unchecked) private var freeEvents: [Int32] = []
    @exclusivity(unchecked) private(set) var nodes: [Node] = []
    @exclusivity(unchecked) private var freeNodes: [Int32] = []
    /// Orders events like Flink's `EventId` (timestamp, then arrival): events
    /// are registered in processing order, so a sequence number is enough.
    @exclusivity(unchecked) var nextSeq: Int64 = 0
    @exclusivity(unchecked) private(set) var liveEvents = 0
    @exclusivity(unchecked) private(set) var liveNodes = 0

    init() {}

    var isEmpty: Bool { liveEvents == 0 && liveNodes == 0 }

    /// Back to a new buffer's state, keeping the arrays' capacity (a pooled key state).
    func reset() {
        events.removeAll(keepingCapacity: true); freeEvents.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true); freeNodes.removeAll(keepingCapacity: true)
        nextSeq = 0; liveEvents = 0; liveNodes = 0
    }

    // MARK: events

    /// Registers an event with one reference (the NFA's, released after processing).
    func register(_ event: Event, timestamp: Int64) -> Int32 {
        let entry = EventEntry(event: event, timestamp: timestamp, seq: nextSeq, refs: 1, nodes: [])
        nextSeq += 1
        liveEvents += 1
        if let slot = freeEvents.popLast() {
            events[Int(slot)] = entry
            return slot
        }
        events.append(entry)
        return Int32(events.count - 1)
    }

    func event(_ slot: Int32) -> Event? { events[Int(slot)].event }
    func timestamp(_ slot: Int32) -> Int64 { events[Int(slot)].timestamp }
    func eventID(_ slot: Int32) -> EventID { EventID(timestamp: events[Int(slot)].timestamp, seq: events[Int(slot)].seq) }

    func lockEvent(_ slot: Int32) { events[Int(slot)].refs += 1 }

    func releaseEvent(_ slot: Int32) {
        let i = Int(slot)
        guard events[i].event != nil else { return }
        if events[i].refs > 0 { events[i].refs -= 1 }
        if events[i].refs == 0 {
            events[i].event = nil
            events[i].nodes.removeAll()
            freeEvents.append(slot)
            liveEvents -= 1
        }
    }

    // MARK: nodes

    /// Adds the event taken into `stage` after `previous` (-1: none) by a partial match of `version`.
    func put(stage: Int32, event: Int32, previous: Int32, version: DeweyNumber) -> Int32 {
        if previous >= 0 { lockNode(previous, version: version) }
        var node: Int32 = -1
        for n in events[Int(event)].nodes where n.stage == stage { node = n.node; break }
        if node < 0 {
            let fresh = Node(event: event, stage: stage, edges: [], refs: 0, live: true)
            if let slot = freeNodes.popLast() {
                nodes[Int(slot)] = fresh
                node = slot
            } else {
                nodes.append(fresh)
                node = Int32(nodes.count - 1)
            }
            liveNodes += 1
            events[Int(event)].nodes.append((stage, node))
            lockEvent(event)
        }
        nodes[Int(node)].edges.append(Edge(target: previous, version: version, refs: 0))
        return node
    }

    /// A partial match of `version` now points at `node`.
    func lockNode(_ node: Int32, version: DeweyNumber) {
        let i = Int(node)
        guard node >= 0, nodes[i].live else { return }
        nodes[i].refs += 1
        for e in nodes[i].edges.indices where version.isCompatible(with: nodes[i].edges[e].version) {
            nodes[i].edges[e].refs += 1
        }
    }

    /// A partial match of `version` no longer points at `node`: releases the
    /// edges it used, and what they pointed at, down the path.
    func releaseNode(_ node: Int32, version: DeweyNumber) {
        guard node >= 0 else { return }
        var stack: [(Int32, DeweyNumber)] = [(node, version)]
        while let (n, v) = stack.popLast() {
            let i = Int(n)
            guard nodes[i].live else { continue }
            var e = 0
            while e < nodes[i].edges.count {
                if v.isCompatible(with: nodes[i].edges[e].version) {
                    if nodes[i].edges[e].refs > 0 { nodes[i].edges[e].refs -= 1 }
                    if nodes[i].edges[e].refs == 0 {
                        let edge = nodes[i].edges.remove(at: e)
                        if edge.target >= 0 { stack.append((edge.target, edge.version)) }
                        continue
                    }
                }
                e += 1
            }
            if nodes[i].refs > 0 { nodes[i].refs -= 1 }
            if nodes[i].refs == 0 { removeNode(n) }
        }
    }

    private func removeNode(_ n: Int32) {
        let i = Int(n)
        let ev = nodes[i].event
        nodes[i].live = false
        nodes[i].edges.removeAll()
        liveNodes -= 1
        freeNodes.append(n)
        if let k = events[Int(ev)].nodes.firstIndex(where: { $0.node == n }) { events[Int(ev)].nodes.remove(at: k) }
        releaseEvent(ev)
    }

    /// Replaces the whole buffer (a restored snapshot, already checked).
    func restore(events: [EventEntry], nodes: [Node], nextSeq: Int64) {
        self.events = events
        self.nodes = nodes
        self.nextSeq = nextSeq
        freeEvents = events.indices.filter { events[$0].event == nil }.map { Int32($0) }
        freeNodes = nodes.indices.filter { !nodes[$0].live }.map { Int32($0) }
        liveEvents = events.count - freeEvents.count
        liveNodes = nodes.count - freeNodes.count
    }

    // MARK: extraction

    /// The events of the partial match of `version` ending at `node`, first to
    /// last: the first path a depth-first search finds, taking the most recent
    /// compatible edge first (Flink takes the first path its search finds; for
    /// a valid version there is exactly one).
    func extractFirstPath(node: Int32, version: DeweyNumber) -> [Step]? {
        guard node >= 0, nodes[Int(node)].live else { return nil }
        var path: [Step] = []
        return search(node, version, &path) ? path.reversed() : nil
    }

    /// Every path of the partial match (Flink's `extractPatterns`), in the
    /// order Flink's depth-first search finds them; normally exactly one.
    func extractPaths(node: Int32, version: DeweyNumber) -> [[Step]] {
        guard node >= 0, nodes[Int(node)].live else { return [] }
        var all: [[Step]] = []
        var path: [Step] = []
        collect(node, version, &path, &all)
        return all
    }

    private func collect(_ n: Int32, _ v: DeweyNumber, _ path: inout [Step], _ all: inout [[Step]]) {
        let node = nodes[Int(n)]
        path.append(Step(stage: node.stage, event: node.event))
        for e in node.edges.reversed() where v.isCompatible(with: e.version) {
            if e.target < 0 { all.append(path.reversed()) } else if nodes[Int(e.target)].live { collect(e.target, e.version, &path, &all) }
        }
        path.removeLast()
    }

    private func search(_ n: Int32, _ v: DeweyNumber, _ path: inout [Step]) -> Bool {
        let node = nodes[Int(n)]
        path.append(Step(stage: node.stage, event: node.event))
        for e in node.edges.reversed() where v.isCompatible(with: e.version) {
            if e.target < 0 { return true }
            if nodes[Int(e.target)].live && search(e.target, e.version, &path) { return true }
        }
        path.removeLast()
        return false
    }
}

/// Flink's `EventId`: the order of events (timestamp, then processing order).
public struct EventID: Comparable, Hashable, Sendable {
    public var timestamp: Int64
    public var seq: Int64
    public static func < (a: EventID, b: EventID) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq
    }
}
