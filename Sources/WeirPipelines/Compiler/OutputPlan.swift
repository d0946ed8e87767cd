/// How the output record will be built, tracked step by step; becomes
/// `RecordProgram.Output` once slots are final.
struct OutputPlan {
    enum Mode { case original, edited, projected }

    private(set) var mode: Mode = .original
    /// Top-level fields of the original record to strip (edited mode).
    private(set) var removed: Set<String> = []
    /// Appended fields (edited) or all fields (projected), in order.
    private(set) var fields: [(name: String, binding: FieldBinding)] = []

    private mutating func edit() {
        if mode == .original { mode = .edited }
    }

    /// A map target: replaces a field of that name where it is, else appends.
    mutating func set(_ name: String, _ binding: FieldBinding) {
        edit()
        if mode == .edited { removed.insert(name) }
        if let i = fields.firstIndex(where: { $0.name == name }) {
            fields[i].binding = binding
        } else {
            fields.append((name, binding))
        }
    }

    mutating func remove(_ name: String) {
        edit()
        if mode == .edited { removed.insert(name) }
        fields.removeAll { $0.name == name }
    }

    /// Renames applied together: a field already in the list keeps its place
    /// under its new name; an original field is stripped and appended.
    mutating func rename(_ moves: [(from: String, to: String, binding: FieldBinding)]) {
        edit()
        let places = moves.map { move in fields.firstIndex(where: { $0.name == move.from }) }
        var appended: [(name: String, binding: FieldBinding)] = []
        for (move, place) in zip(moves, places) {
            if mode == .edited { removed.insert(move.from); removed.insert(move.to) }
            if let i = place {
                fields[i].name = move.to
            } else {
                appended.append((move.to, move.binding))
            }
        }
        fields.append(contentsOf: appended)
    }

    mutating func project(_ selected: [(String, FieldBinding)]) {
        mode = .projected
        removed = []
        fields = selected.map { (name: $0.0, binding: $0.1) }
    }
}
