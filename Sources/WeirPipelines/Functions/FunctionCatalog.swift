import WeirEngine

/// The built-in functions: their arity, the kinds each argument accepts (for
/// load-time checks), their result kind, and how to build the node.
/// Adding a function is one entry here plus its node class.
struct FunctionSpec {
    let name: String
    let arity: ClosedRange<Int>
    /// Accepted kinds per argument position; the last entry repeats (variadic).
    let parameters: [ValueType]
    let signature: String
    let result: ([ValueType]) -> ValueType
    let make: ([RowExpression], String) -> RowExpression

    func accepted(at index: Int) -> ValueType {
        parameters.isEmpty ? .any : parameters[min(index, parameters.count - 1)]
    }
}

enum FunctionCatalog {
    /// Looked up case-insensitively (`LOWER(x)` works).
    static func lookup(_ name: String) -> FunctionSpec? { byName[name.lowercased()] }

    static var names: [String] { all.map(\.name) }

    private static let byName: [String: FunctionSpec] = {
        var d: [String: FunctionSpec] = [:]
        for f in all { d[f.name.lowercased()] = f }
        return d
    }()

    private static let textual: ValueType = [.string, .int, .double, .bool]

    static let all: [FunctionSpec] = [
        FunctionSpec(name: "lower", arity: 1...1, parameters: [.string], signature: "lower(string)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { CaseMappingNode(upper: false, $0[0], source: $1) }),
        FunctionSpec(name: "upper", arity: 1...1, parameters: [.string], signature: "upper(string)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { CaseMappingNode(upper: true, $0[0], source: $1) }),
        FunctionSpec(name: "length", arity: 1...1, parameters: [.string], signature: "length(string)",
                     result: { ValueType.int.nullable(if: $0) },
                     make: { LengthNode($0[0], source: $1) }),
        FunctionSpec(name: "trim", arity: 1...1, parameters: [.string], signature: "trim(string)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { TrimNode($0[0], source: $1) }),
        FunctionSpec(name: "concat", arity: 1...64, parameters: [textual], signature: "concat(value, …)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { ConcatNode($0, source: $1) }),
        FunctionSpec(name: "substring", arity: 2...3, parameters: [.string, .int, .int],
                     signature: "substring(string, start[, length])",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { SubstringNode($0[0], $0[1], $0.count > 2 ? $0[2] : nil, source: $1) }),
        FunctionSpec(name: "contains", arity: 2...2, parameters: [.string, .string], signature: "contains(string, part)",
                     result: { ValueType.bool.nullable(if: $0) },
                     make: { StringSearchNode(.contains, $0[0], $0[1], source: $1) }),
        FunctionSpec(name: "startsWith", arity: 2...2, parameters: [.string, .string], signature: "startsWith(string, prefix)",
                     result: { ValueType.bool.nullable(if: $0) },
                     make: { StringSearchNode(.startsWith, $0[0], $0[1], source: $1) }),
        FunctionSpec(name: "endsWith", arity: 2...2, parameters: [.string, .string], signature: "endsWith(string, suffix)",
                     result: { ValueType.bool.nullable(if: $0) },
                     make: { StringSearchNode(.endsWith, $0[0], $0[1], source: $1) }),
        FunctionSpec(name: "coalesce", arity: 1...64, parameters: [.any], signature: "coalesce(value, …)",
                     result: { args in
                         // Null only if every argument can be null.
                         let all = args.reduce(ValueType()) { $0.union($1) }
                         return args.allSatisfy { $0.contains(.null) } ? all : all.nonNull
                     },
                     make: { args, _ in CoalesceNode(args) }),
        FunctionSpec(name: "date", arity: 1...1, parameters: [.number], signature: "date(epochMillis)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { UTCDateNode(.date, $0[0], source: $1) }),
        FunctionSpec(name: "hour", arity: 1...1, parameters: [.number], signature: "hour(epochMillis)",
                     result: { ValueType.int.nullable(if: $0) },
                     make: { UTCDateNode(.hour, $0[0], source: $1) }),
        FunctionSpec(name: "abs", arity: 1...1, parameters: [.number], signature: "abs(number)",
                     result: { $0[0].intersection(.number).nullable(if: $0) },
                     make: { AbsNode($0[0], source: $1) }),
        FunctionSpec(name: "round", arity: 1...2, parameters: [.number, .int], signature: "round(number[, digits])",
                     result: { args in
                         if args.count == 1 { return ValueType.int.nullable(if: args) }
                         return args[0].intersection(.number).nullable(if: args)
                     },
                     make: { args, source in
                         args.count == 1 ? IntegralNode(.round, args[0], source: source) as RowExpression
                                         : RoundDigitsNode(args[0], digits: args[1], source: source)
                     }),
        FunctionSpec(name: "floor", arity: 1...1, parameters: [.number], signature: "floor(number)",
                     result: { ValueType.int.nullable(if: $0) },
                     make: { IntegralNode(.floor, $0[0], source: $1) }),
        FunctionSpec(name: "ceil", arity: 1...1, parameters: [.number], signature: "ceil(number)",
                     result: { ValueType.int.nullable(if: $0) },
                     make: { IntegralNode(.ceil, $0[0], source: $1) }),
        FunctionSpec(name: "toString", arity: 1...1, parameters: [.any], signature: "toString(value)",
                     result: { ValueType.string.nullable(if: $0) },
                     make: { args, _ in ToStringNode(args[0]) }),
        FunctionSpec(name: "toInt", arity: 1...1, parameters: [textual], signature: "toInt(value)",
                     result: { ValueType.int.nullable(if: $0) },
                     make: { ToIntNode($0[0], source: $1) }),
        FunctionSpec(name: "toDouble", arity: 1...1, parameters: [textual], signature: "toDouble(value)",
                     result: { ValueType.double.nullable(if: $0) },
                     make: { ToDoubleNode($0[0], source: $1) }),
        FunctionSpec(name: "if", arity: 3...3, parameters: [.bool, .any, .any], signature: "if(condition, then, else)",
                     result: { $0[1].union($0[2]) },
                     make: { IfNode($0[0], $0[1], $0[2], source: $1) }),
    ]
}
