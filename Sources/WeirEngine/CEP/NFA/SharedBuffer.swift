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
/// by its nodes (and by the NFA while it is being processed).
///
/// Storage is three slabs with free lists, reused in steady state: events,
/// nodes, and edges. An event's nodes, a node's edges and the free slots are
/// linked lists through the slabs (not an array per event and per node, which
/// allocated for every event taken); extracted paths go to scratch shared by
/// every buffer of the NFA (`SharedBufferScratch`).
public final class SharedBuffer<Event> {
    struct EventEntry {
        var event: Event?
        var timestamp: Int64
        var seq: Int64
        var refs: Int32
        /// First of this event's nodes (linked by `Node.nextOfEvent`, in creation
        /// order); -1: none. In a free slot: the next free slot.
        var firstNode: Int32
    }

    struct Edge {
        var target: Int32          // -1: the first event of a match
        var version: DeweyNumber
        var refs: Int32
        /// Neighbours in the node's edge list (-1: none); `next` links the free list too.
        var prev: Int32
        var next: Int32
    }

    struct Node {
        var event: Int32
        var stage: Int32
        var refs: Int32
        var live: Bool
        /// The node's edges, oldest first (-1: none).
        var firstEdge: Int32
        var lastEdge: Int32
        /// The event's next node; in a free slot: the next free slot.
        var nextOfEvent: Int32
    }

    /// One step of an extracted path.
    struct Step { var stage: Int32; var event: Int32 }

    @exclusivity(unchecked) private(set) var events: [EventEntry] = []
    @exclusivity(unchecked) private var freeEvent: Int32 = -1
    @exclusivity(unchecked) private(set) var nodes: [Node] = []
    @exclusivity(unchecked) private var freeNode: Int32 = -1
    @exclusivity(unchecked) private var edges: [Edge] = []
    @exclusivity(unchecked) private var freeEdge: Int32 = -1
    /// Orders events like Flink's `EventId` (timestamp, then arrival): events
    /// are registered in processing order, so a sequence number is enough.
    @exclusivity(unchecked) var nextSeq: Int64 = 0
    @exclusivity(unchecked) private(set) var liveEvents = 0
    @exclusivity(unchecked) private(set) var liveNodes = 0
    let scratch: SharedBufferScratch<Event>

    init(scratch: SharedBufferScratch<Event>) { self.scratch = scratch }

    /// Events let go of (by any buffer of the NFA), when `keepsFreedEvents`.
    var freedEvents: [Event] {
        get { scratch.freedEvents }
        set { scratch.freedEvents = newValue }
    }
    var keepsFreedEvents: Bool {
        get { scratch.keepsFreedEvents }
        set { scratch.keepsFreedEvents = newValue }
    }

    var isEmpty: Bool { liveEvents == 0 && liveNodes == 0 }

    /// Back to a new buffer's state, keeping the arrays' capacity (a pooled key state).
    func reset() {
        events.removeAll(keepingCapacity: true); freeEvent = -1
        nodes.removeAll(keepingCapacity: true); freeNode = -1
        edges.removeAll(keepingCapacity: true); freeEdge = -1
        nextSeq = 0; liveEvents = 0; liveNodes = 0
    }

    // MARK: events

    /// Registers an event with one reference (the NFA's, released after processing).
    func register(_ event: Event, timestamp: Int64) -> Int32 {
        let entry = EventEntry(event: event, timestamp: timestamp, seq: nextSeq, refs: 1, firstNode: -1)
        nextSeq += 1
        liveEvents += 1
        if freeEvent >= 0 {
            let slot = freeEvent
            freeEvent = events[Int(slot)].firstNode
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
            if scratch.keepsFreedEvents, let e = events[i].event { scratch.freedEvents.append(e) }
            events[i].event = nil
            events[i].firstNode = freeEvent
            freeEvent = slot
            liveEvents -= 1
        }
    }

    /// The event's nodes as (stage, node), in creation order (snapshots).
    func nodes(ofEvent slot: Int32) -> [(stage: Int32, node: Int32)] {
        var out: [(stage: Int32, node: Int32)] = []
        var n = events[Int(slot)].firstNode
        while n >= 0 { out.append((nodes[Int(n)].stage, n)); n = nodes[Int(n)].nextOfEvent }
        return out
    }

    // MARK: nodes

    /// Adds the event taken into `stage` after `previous` (-1: none) by a partial match of `version`.
    func put(stage: Int32, event: Int32, previous: Int32, version: DeweyNumber) -> Int32 {
        if previous >= 0 { lockNode(previous, version: version) }
        var node = events[Int(event)].firstNode
        var tail: Int32 = -1
        while node >= 0 && nodes[Int(node)].stage != stage { tail = node; node = nodes[Int(node)].nextOfEvent }
        if node < 0 {
            let fresh = Node(event: event, stage: stage, refs: 0, live: true, firstEdge: -1, lastEdge: -1, nextOfEvent: -1)
            if freeNode >= 0 {
                node = freeNode
                freeNode = nodes[Int(node)].nextOfEvent
                nodes[Int(node)] = fresh
            } else {
                nodes.append(fresh)
                node = Int32(nodes.count - 1)
            }
            liveNodes += 1
            if tail < 0 { events[Int(event)].firstNode = node } else { nodes[Int(tail)].nextOfEvent = node }
            lockEvent(event)
        }
        appendEdge(node, Edge(target: previous, version: version, refs: 0, prev: -1, next: -1))
        return node
    }

    private func appendEdge(_ node: Int32, _ edge: Edge) {
        var e = edge
        e.prev = nodes[Int(node)].lastEdge
        let slot: Int32
        if freeEdge >= 0 {
            slot = freeEdge
            freeEdge = edges[Int(slot)].next
            edges[Int(slot)] = e
        } else {
            edges.append(e)
            slot = Int32(edges.count - 1)
        }
        if e.prev >= 0 { edges[Int(e.prev)].next = slot } else { nodes[Int(node)].firstEdge = slot }
        nodes[Int(node)].lastEdge = slot
    }

    private func unlinkEdge(_ node: Int32, _ slot: Int32) {
        let e = edges[Int(slot)]
        if e.prev >= 0 { edges[Int(e.prev)].next = e.next } else { nodes[Int(node)].firstEdge = e.next }
        if e.next >= 0 { edges[Int(e.next)].prev = e.prev } else { nodes[Int(node)].lastEdge = e.prev }
        edges[Int(slot)].version = .empty
        edges[Int(slot)].next = freeEdge
        freeEdge = slot
    }

    /// The node's edges as (target, version, refs), oldest first (snapshots).
    func edges(ofNode node: Int32) -> [(target: Int32, version: DeweyNumber, refs: Int32)] {
        var out: [(target: Int32, version: DeweyNumber, refs: Int32)] = []
        var e = nodes[Int(node)].firstEdge
        while e >= 0 { out.append((edges[Int(e)].target, edges[Int(e)].version, edges[Int(e)].refs)); e = edges[Int(e)].next }
        return out
    }

    /// A partial match of `version` now points at `node`.
    func lockNode(_ node: Int32, version: DeweyNumber) {
        let i = Int(node)
        guard node >= 0, nodes[i].live else { return }
        nodes[i].refs += 1
        var e = nodes[i].firstEdge
        while e >= 0 {
            if version.isCompatible(with: edges[Int(e)].version) { edges[Int(e)].refs += 1 }
            e = edges[Int(e)].next
        }
    }

    /// A partial match of `version` no longer points at `node`: releases the
    /// edges it used, and what they pointed at, down the path.
    func releaseNode(_ node: Int32, version: DeweyNumber) {
        guard node >= 0 else { return }
        var stack: [(node: Int32, version: DeweyNumber)] = []
        swap(&stack, &scratch.releaseStack)
        stack.removeAll(keepingCapacity: true)
        stack.append((node, version))
        while let (n, v) = stack.popLast() {
            let i = Int(n)
            guard nodes[i].live else { continue }
            var e = nodes[i].firstEdge
            while e >= 0 {
                let next = edges[Int(e)].next
                if v.isCompatible(with: edges[Int(e)].version) {
                    if edges[Int(e)].refs > 0 { edges[Int(e)].refs -= 1 }
                    if edges[Int(e)].refs == 0 {
                        let target = edges[Int(e)].target
                        if target >= 0 { stack.append((target, edges[Int(e)].version)) }
                        unlinkEdge(n, e)
                    }
                }
                e = next
            }
            if nodes[i].refs > 0 { nodes[i].refs -= 1 }
            if nodes[i].refs == 0 { removeNode(n) }
        }
        swap(&stack, &scratch.releaseStack)
    }

    private func removeNode(_ n: Int32) {
        let i = Int(n)
        let ev = nodes[i].event
        var e = nodes[i].firstEdge
        while e >= 0 { let next = edges[Int(e)].next; unlinkEdge(n, e); e = next }
        nodes[i].live = false
        liveNodes -= 1
        // unlink from the event's node list (walked only while the event is
        // live: a free slot's link is the free list, and a restored snapshot's
        // counts are checked only in part)
        var prev: Int32 = -1, k = events[Int(ev)].event == nil ? -1 : events[Int(ev)].firstNode
        while k >= 0 && Int(k) < nodes.count && k != n { prev = k; k = nodes[Int(k)].nextOfEvent }
        if k == n {
            if prev < 0 { events[Int(ev)].firstNode = nodes[i].nextOfEvent } else { nodes[Int(prev)].nextOfEvent = nodes[i].nextOfEvent }
        }
        nodes[i].nextOfEvent = freeNode
        freeNode = n
        releaseEvent(ev)
    }

    /// Replaces the whole buffer (a restored snapshot, already checked: every
    /// node of an event's list is live, of that event, and listed once).
    func restore(events saved: [(event: Event?, timestamp: Int64, seq: Int64, refs: Int32, nodes: [Int32])],
                 nodes savedNodes: [(event: Int32, stage: Int32, refs: Int32, live: Bool,
                                     edges: [(target: Int32, version: DeweyNumber, refs: Int32)])],
                 nextSeq: Int64) {
        reset()
        for n in savedNodes {
            nodes.append(Node(event: n.event, stage: n.stage, refs: n.refs, live: n.live, firstEdge: -1, lastEdge: -1, nextOfEvent: -1))
            guard n.live else { continue }
            for e in n.edges {
                appendEdge(Int32(nodes.count - 1), Edge(target: e.target, version: e.version, refs: e.refs, prev: -1, next: -1))
            }
        }
        for (i, s) in saved.enumerated() {
            events.append(EventEntry(event: s.event, timestamp: s.timestamp, seq: s.seq, refs: s.refs, firstNode: s.nodes.first ?? -1))
            for k in s.nodes.indices.dropLast() { nodes[Int(s.nodes[k])].nextOfEvent = s.nodes[k + 1] }
        }
        // free slots linked so that the highest is reused first, as a stack of them in index order was
        for i in events.indices where events[i].event == nil { events[i].firstNode = freeEvent; freeEvent = Int32(i) }
        for i in nodes.indices where !nodes[i].live { nodes[i].nextOfEvent = freeNode; freeNode = Int32(i) }
        self.nextSeq = nextSeq
        liveEvents = events.reduce(0) { $0 + ($1.event == nil ? 0 : 1) }
        liveNodes = nodes.reduce(0) { $0 + ($1.live ? 1 : 0) }
    }

    // MARK: extraction

    /// The events of the partial match of `version` ending at `node`, first to
    /// last, into the scratch's `pathSteps` (valid until the next extraction; read it with `path(0)`): the first path
    /// a depth-first search finds, taking the most recent compatible edge first
    /// (Flink takes the first path its search finds; for a valid version there
    /// is exactly one). False: no path.
    func extractFirstPath(node: Int32, version: DeweyNumber) -> Bool {
        scratch.pathSteps.removeAll(keepingCapacity: true)
        scratch.pathEnds.removeAll(keepingCapacity: true)
        guard node >= 0, nodes[Int(node)].live else { return false }
        var path: [Step] = []
        swap(&path, &scratch.searchPath)
        path.removeAll(keepingCapacity: true)
        let found = search(node, version, &path)
        if found {
            scratch.pathSteps.append(contentsOf: path.reversed())
            scratch.pathEnds.append(scratch.pathSteps.count)
        }
        swap(&path, &scratch.searchPath)
        return found
    }

    /// Every path of the partial match (Flink's `extractPatterns`), in the
    /// order Flink's depth-first search finds them (normally exactly one),
    /// into the scratch's `pathSteps` and `pathEnds` (read them with `path(k)`); returns how many.
    func extractPaths(node: Int32, version: DeweyNumber) -> Int {
        scratch.pathSteps.removeAll(keepingCapacity: true)
        scratch.pathEnds.removeAll(keepingCapacity: true)
        guard node >= 0, nodes[Int(node)].live else { return 0 }
        var path: [Step] = []
        swap(&path, &scratch.searchPath)
        path.removeAll(keepingCapacity: true)
        collect(node, version, &path)
        swap(&path, &scratch.searchPath)
        return scratch.pathEnds.count
    }

    /// Path k of the last extraction's, first event first.
    func path(_ k: Int) -> ArraySlice<Step> { scratch.pathSteps[(k == 0 ? 0 : scratch.pathEnds[k - 1])..<scratch.pathEnds[k]] }

    private func collect(_ n: Int32, _ v: DeweyNumber, _ path: inout [Step]) {
        path.append(Step(stage: nodes[Int(n)].stage, event: nodes[Int(n)].event))
        var e = nodes[Int(n)].lastEdge
        while e >= 0 {
            let edge = edges[Int(e)]
            if v.isCompatible(with: edge.version) {
                if edge.target < 0 {
                    scratch.pathSteps.append(contentsOf: path.reversed())
                    scratch.pathEnds.append(scratch.pathSteps.count)
                } else if nodes[Int(edge.target)].live {
                    collect(edge.target, edge.version, &path)
                }
            }
            e = edge.prev
        }
        path.removeLast()
    }

    private func search(_ n: Int32, _ v: DeweyNumber, _ path: inout [Step]) -> Bool {
        path.append(Step(stage: nodes[Int(n)].stage, event: nodes[Int(n)].event))
        var e = nodes[Int(n)].lastEdge
        while e >= 0 {
            let edge = edges[Int(e)]
            if v.isCompatible(with: edge.version) {
                if edge.target < 0 { return true }
                if nodes[Int(edge.target)].live && search(edge.target, edge.version, &path) { return true }
            }
            e = edge.prev
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
