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
        for e in b.events {
            guard let ev = e.event else { w.u8(0); continue }
            w.u8(1)
            w.i64(e.timestamp)
            w.i64(e.seq)
            w.i32(e.refs)
            event(ev, &w)
            w.u16(UInt16(clamping: e.nodes.count))
            for n in e.nodes { w.i32(n.stage); w.i32(n.node) }
        }
        w.u32(UInt32(b.nodes.count))
        for n in b.nodes {
            guard n.live else { w.u8(0); continue }
            w.u8(1)
            w.i32(n.event)
            w.i32(n.stage)
            w.i32(n.refs)
            w.u32(UInt32(n.edges.count))
            for e in n.edges { w.i32(e.target); writeVersion(e.version, &w); w.i32(e.refs) }
        }
    }

    static func read<Event>(_ r: inout BinaryReader, into st: NFAState<Event>, stateCount: Int, stageCount: Int,
                            event: (inout BinaryReader) throws -> Event) throws {
        let partial = try readStates(&r, stateCount)
        let completed = try readStates(&r, stateCount)
        let nextSeq = try r.i64()
        let eventCount = Int(try r.u32())
        guard eventCount <= r.remaining else { throw Invalid(reason: "event count") }
        var events: [SharedBuffer<Event>.EventEntry] = []
        events.reserveCapacity(eventCount)
        for _ in 0..<eventCount {
            if try r.u8() == 0 {
                events.append(.init(event: nil, timestamp: 0, seq: 0, refs: 0, nodes: []))
                continue
            }
            let ts = try r.i64(), seq = try r.i64(), refs = try r.i32()
            let ev = try event(&r)
            var nodes: [(stage: Int32, node: Int32)] = []
            for _ in 0..<Int(try r.u16()) { nodes.append((try r.i32(), try r.i32())) }
            events.append(.init(event: ev, timestamp: ts, seq: seq, refs: refs, nodes: nodes))
        }
        let nodeCount = Int(try r.u32())
        guard nodeCount <= r.remaining else { throw Invalid(reason: "node count") }
        var nodes: [SharedBuffer<Event>.Node] = []
        nodes.reserveCapacity(nodeCount)
        for _ in 0..<nodeCount {
            if try r.u8() == 0 {
                nodes.append(.init(event: 0, stage: 0, edges: [], refs: 0, live: false))
                continue
            }
            let ev = try r.i32(), stage = try r.i32(), refs = try r.i32()
            let edgeCount = Int(try r.u32())
            guard edgeCount <= r.remaining else { throw Invalid(reason: "edge count") }
            var edges: [SharedBuffer<Event>.Edge] = []
            for _ in 0..<edgeCount { edges.append(.init(target: try r.i32(), version: try readVersion(&r), refs: try r.i32())) }
            guard ev >= 0 && Int(ev) < eventCount, stage >= 0 && Int(stage) < stageCount else { throw Invalid(reason: "node") }
            nodes.append(.init(event: ev, stage: stage, edges: edges, refs: refs, live: true))
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
        for e in events where e.event != nil {
            for n in e.nodes { guard n.node >= 0 && Int(n.node) < nodeCount && nodes[Int(n.node)].live else { throw Invalid(reason: "event node") } }
        }
        for cs in partial + completed where cs.previous >= 0 {
            guard Int(cs.previous) < nodeCount, nodes[Int(cs.previous)].live else { throw Invalid(reason: "partial match node") }
        }
        st.partial = PartialMatchQueue(partial)
        st.completed = PartialMatchQueue(completed)
        st.buffer.restore(events: events, nodes: nodes, nextSeq: nextSeq)
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
        w.u16(UInt16(clamping: v.digits.count))
        for d in v.digits { w.i32(d) }
    }

    private static func readVersion(_ r: inout BinaryReader) throws -> DeweyNumber {
        let n = Int(try r.u16())
        var d: [Int32] = []
        d.reserveCapacity(n)
        for _ in 0..<n { d.append(try r.i32()) }
        return DeweyNumber(d)
    }
}
