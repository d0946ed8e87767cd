import Glibc

/// The projection compiled into a trie of key components, so that each key the
/// parser reports is matched by comparing bytes against precomputed UTF-8,
/// without hashing or allocating. Node 0 is the top-level object; a node has
/// the slots its path fills, and the child keys under which deeper projected
/// paths continue.
final class JSONFieldMatcher {
    struct Node {
        var firstEdge: Int32
        var edgeCount: Int32
        var firstSlot: Int32
        var slotCount: Int32
        /// Top-level key whose member the edited output leaves out.
        var dropped: Bool
    }

    struct Edge {
        var keyStart: Int32
        var keyCount: Int32
        var node: Int32
    }

    /// Plain pointers into the compiled trie, for the parse callbacks.
    struct View {
        let nodes: UnsafePointer<Node>
        let edges: UnsafePointer<Edge>
        let keyBytes: UnsafePointer<UInt8>
        let slots: UnsafePointer<Int32>

        /// The child of `node` under `key`, or -1.
        @inline(__always) func child(of node: Int32, key: UnsafePointer<UInt8>, count: Int) -> Int32 {
            let n = nodes[Int(node)]
            var e = Int(n.firstEdge)
            let end = e + Int(n.edgeCount)
            while e < end {
                let edge = edges[e]
                if Int(edge.keyCount) == count {
                    let candidate = keyBytes + Int(edge.keyStart)
                    if count == 0 || (candidate[0] == key[0] && ShortBytes.equal(candidate, key, count: count)) { return edge.node }
                }
                e += 1
            }
            return -1
        }
    }

    let nodeCount: Int
    let view: View
    private let nodes: UnsafeMutablePointer<Node>
    private let edges: UnsafeMutablePointer<Edge>
    private let keyBytes: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<Int32>

    /// - Parameters:
    ///   - fields: slot i is filled from `fields[i]`; the same path may appear twice.
    ///   - droppedTopLevelKeys: top-level keys flagged for removal in captured members.
    init(fields: [FieldPath], droppedTopLevelKeys: Set<String>) {
        // Build with Swift collections once, then flatten into contiguous memory.
        struct Building { var children: [(key: [UInt8], node: Int)] = []; var slots: [Int] = []; var dropped = false }
        var tree = [Building()]
        func child(_ parent: Int, _ key: [UInt8]) -> Int {
            if let found = tree[parent].children.first(where: { $0.key == key }) { return found.node }
            tree.append(Building())
            tree[parent].children.append((key, tree.count - 1))
            return tree.count - 1
        }
        for (slot, path) in fields.enumerated() {
            var node = 0
            for component in path.components { node = child(node, Array(component.utf8)) }
            tree[node].slots.append(slot)
        }
        for key in droppedTopLevelKeys.sorted() { tree[child(0, Array(key.utf8))].dropped = true }

        let edgeTotal = tree.reduce(0) { $0 + $1.children.count }
        let keyTotal = tree.reduce(0) { $0 + $1.children.reduce(0) { $0 + $1.key.count } }
        let slotTotal = tree.reduce(0) { $0 + $1.slots.count }
        nodes = .allocate(capacity: tree.count)      // tree.count >= 1 (the root)
        edges = .allocate(capacity: max(edgeTotal, 1))
        keyBytes = .allocate(capacity: max(keyTotal, 1))
        slots = .allocate(capacity: max(slotTotal, 1))
        var e = 0, k = 0, s = 0
        for (i, b) in tree.enumerated() {
            nodes[i] = Node(firstEdge: Int32(e), edgeCount: Int32(b.children.count),
                            firstSlot: Int32(s), slotCount: Int32(b.slots.count), dropped: b.dropped)
            for c in b.children {
                edges[e] = Edge(keyStart: Int32(k), keyCount: Int32(c.key.count), node: Int32(c.node))
                for byte in c.key { keyBytes[k] = byte; k += 1 }
                e += 1
            }
            for slot in b.slots { slots[s] = Int32(slot); s += 1 }
        }
        nodeCount = tree.count
        view = View(nodes: nodes, edges: edges, keyBytes: keyBytes, slots: slots)
    }

    deinit {
        nodes.deallocate(); edges.deallocate(); keyBytes.deallocate(); slots.deallocate()
    }
}
