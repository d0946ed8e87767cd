/// An `NFAState` as bytes (inside a CEP operator's snapshot): partial and
/// held matches, and the shared buffer slot by slot, so that the slot numbers
/// the partial matches point at stay valid. Events are written by the caller's
/// codec. Every read is checked: the bytes come from Kafka.
enum NFAStateCodec {
    struct Invalid: Error { var reason: String }

    static func write<Event>(_ st: NFAState<Event>, into w: inout BinaryWriter,
                             event: (Event, inout BinaryWriter) -> Void) {
        // heap arrays in array order: offered back in that order they rebuild the same heaps
        writeStates(st.partial.elements, &w)
        writeStates(st.completed.elements, &w)
        let b = st.buffer
        w.i64(b.nextSeq)
        w.u32(UInt32(b.events.count))
        // the buffer's linked lists are written as the lists they were before them (same bytes)
        for (i, e) in b.events.enumerated() {
            guard let ev = e.event else { w.u8(0); continue }
            w.u8(1)
            w.i64(e.timestamp)
            w.i64(e.seq)
            w.i32(e.refs)
            event(ev, &w)
            let nodes = b.nodes(ofEvent: Int32(i))
            w.u16(UInt16(clamping: nodes.count))
            for n in nodes { w.i32(n.stage); w.i32(n.node) }
        }
        w.u32(UInt32(b.nodes.count))
        for (i, n) in b.nodes.enumerated() {
            guard n.live else { w.u8(0); continue }
            w.u8(1)
            w.i32(n.event)
            w.i32(n.stage)
            w.i32(n.refs)
            let edges = b.edges(ofNode: Int32(i))
            w.u32(UInt32(edges.count))
            for e in edges { w.i32(e.target); writeVersion(e.version, &w); w.i32(e.refs) }
        }
    }

    static func read<Event>(_ r: inout BinaryReader, into st: NFAState<Event>, stateCount: Int, stageCount: Int,
                            event: (inout BinaryReader) throws -> Event) throws {
        let partial = try readStates(&r, stateCount)
        let completed = try readStates(&r, stateCount)
        let nextSeq = try r.i64()
        let eventCount = Int(try r.u32())
        guard eventCount <= r.remaining else { throw Invalid(reason: "event count") }
        var events: [(event: Event?, timestamp: Int64, seq: Int64, refs: Int32, nodes: [(stage: Int32, node: Int32)])] = []
        events.reserveCapacity(eventCount)
        for _ in 0..<eventCount {
            if try r.u8() == 0 {
                events.append((nil, 0, 0, 0, []))
                continue
            }
            let ts = try r.i64(), seq = try r.i64(), refs = try r.i32()
            let ev = try event(&r)
            var nodes: [(stage: Int32, node: Int32)] = []
            for _ in 0..<Int(try r.u16()) { nodes.append((try r.i32(), try r.i32())) }
            events.append((ev, ts, seq, refs, nodes))
        }
        let nodeCount = Int(try r.u32())
        guard nodeCount <= r.remaining else { throw Invalid(reason: "node count") }
        var nodes: [(event: Int32, stage: Int32, refs: Int32, live: Bool, edges: [(target: Int32, version: DeweyNumber, refs: Int32)])] = []
        nodes.reserveCapacity(nodeCount)
        for _ in 0..<nodeCount {
            if try r.u8() == 0 {
                nodes.append((0, 0, 0, false, []))
                continue
            }
            let ev = try r.i32(), stage = try r.i32(), refs = try r.i32()
            let edgeCount = Int(try r.u32())
            guard edgeCount <= r.remaining else { throw Invalid(reason: "edge count") }
            var edges: [(target: Int32, version: DeweyNumber, refs: Int32)] = []
            for _ in 0..<edgeCount { edges.append((try r.i32(), try readVersion(&r), try r.i32())) }
            guard ev >= 0 && Int(ev) < eventCount, stage >= 0 && Int(stage) < stageCount else { throw Invalid(reason: "node") }
            nodes.append((ev, stage, refs, true, edges))
        }
        // every reference must land on a live slot, and edges must point back in time
        // (to an earlier event), so that walking them always ends
        for n in nodes where n.live {
            guard events[Int(n.event)].event != nil else { throw Invalid(reason: "node of a freed event") }
            for e in n.edges where e.target >= 0 {
                guard Int(e.target) < nodeCount, nodes[Int(e.target)].live else { throw Invalid(reason: "edge target") }
                guard events[Int(nodes[Int(e.target)].event)].seq < events[Int(n.event)].seq else { throw Invalid(reason: "edge forward in time") }
            }
        }
        // an event's nodes become a linked list through them: each must be that event's, and listed once
        var listed = [Bool](repeating: false, count: nodeCount)
        for (i, e) in events.enumerated() where e.event != nil {
            for n in e.nodes {
                guard n.node >= 0 && Int(n.node) < nodeCount && nodes[Int(n.node)].live, nodes[Int(n.node)].event == Int32(i),
                      !listed[Int(n.node)] else { throw Invalid(reason: "event node") }
                listed[Int(n.node)] = true
            }
        }
        for cs in partial + completed where cs.previous >= 0 {
            guard Int(cs.previous) < nodeCount, nodes[Int(cs.previous)].live else { throw Invalid(reason: "partial match node") }
        }
        st.partial = PartialMatchQueue(partial)
        st.completed = PartialMatchQueue(completed)
        st.buffer.restore(events: events.map { ($0.event, $0.timestamp, $0.seq, $0.refs, $0.event == nil ? [] : $0.nodes.map(\.node)) },
                          nodes: nodes, nextSeq: nextSeq)
    }

    private static func writeStates(_ list: [ComputationState], _ w: inout BinaryWriter) {
        w.u32(UInt32(list.count))
        for cs in list {
            w.i32(cs.state)
            w.i32(cs.previous)
            writeVersion(cs.version, &w)
            w.i64(cs.startTimestamp)
            w.i64(cs.previousTimestamp)
            if let s = cs.startEvent { w.u8(1); w.i64(s.timestamp); w.i64(s.seq) } else { w.u8(0) }
        }
    }

    private static func readStates(_ r: inout BinaryReader, _ stateCount: Int) throws -> [ComputationState] {
        let n = Int(try r.u32())
        guard n <= r.remaining else { throw Invalid(reason: "partial match count") }
        var out: [ComputationState] = []
        for _ in 0..<n {
            let state = try r.i32(), previous = try r.i32()
            guard state >= 0 && Int(state) < stateCount else { throw Invalid(reason: "automaton state") }
            let version = try readVersion(&r)
            let startTs = try r.i64(), prevTs = try r.i64()
            let start: EventID? = try r.u8() == 0 ? nil : EventID(timestamp: try r.i64(), seq: try r.i64())
            out.append(ComputationState(state: state, previous: previous, version: version, startTimestamp: startTs,
                                        previousTimestamp: prevTs, startEvent: start))
        }
        return out
    }

    private static func writeVersion(_ v: DeweyNumber, _ w: inout BinaryWriter) {
        w.u16(UInt16(clamping: v.length))
        for i in 0..<v.length { w.i32(v[i]) }
    }

    private static func readVersion(_ r: inout BinaryReader) throws -> DeweyNumber {
        let n = Int(try r.u16())
        var d: [Int32] = []
        d.reserveCapacity(n)
        for _ in 0..<n { d.append(try r.i32()) }
        return DeweyNumber(d)
    }
}
