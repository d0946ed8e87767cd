import WeirFormats

/// What a top-level name refers to at some point of the pipeline.
enum FieldBinding: Equatable {
    /// A path of the input record (a field as read, or renamed: `user_id` → `user`).
    case input(FieldPath)
    /// A slot written by an earlier step.
    case computed(slot: Int, type: ValueType)
}

struct ScopeError: Error { var message: String }

/// The fields visible at one point of the pipeline. Until a `select`, every
/// field of the input record is visible unless dropped or renamed away; after
/// it, only the selected ones.
struct FieldScope {
    private(set) var bound: [String: FieldBinding] = [:]
    private var order: [String] = []
    private var gone: [String: String] = [:]
    /// Set once a select fixed the set of fields ("the select in steps[3]").
    private var closedBy: String?

    /// Names known to exist here (defined by a step, or selected).
    func isKnown(_ name: String) -> Bool { bound[name] != nil }

    func resolve(_ path: FieldPath) -> Result<FieldBinding, ScopeError> {
        guard let head = path.components.first else { return .failure(ScopeError(message: "empty field name")) }
        let rest = path.components.dropFirst()
        if let b = bound[head] {
            switch b {
            case .input(let p):
                return .success(.input(FieldPath(p.components + rest)))
            case .computed:
                if rest.isEmpty { return .success(b) }
                return .failure(ScopeError(message: "'\(head)' is computed by an earlier step; reading inside it ('\(path)') is not supported yet"))
            }
        }
        if let why = gone[head] {
            return .failure(ScopeError(message: "field '\(head)' is not in the record here: \(why)"))
        }
        if let closedBy {
            let names = order.filter { bound[$0] != nil }.joined(separator: ", ")
            return .failure(ScopeError(message: "field '\(head)' is not in the record after \(closedBy) (it has: \(names))"))
        }
        return .success(.input(path))
    }

    mutating func define(_ name: String, _ binding: FieldBinding) {
        if bound[name] == nil { order.append(name) }
        bound[name] = binding
        gone[name] = nil
    }

    mutating func remove(_ name: String, because why: String) {
        bound[name] = nil
        order.removeAll { $0 == name }
        gone[name] = why
    }

    /// After a select: exactly these fields.
    mutating func close(to fields: [(String, FieldBinding)], by step: String) {
        bound = [:]
        order = []
        gone = [:]
        closedBy = step
        for (name, binding) in fields { define(name, binding) }
    }
}
