import WeirEngine
import WeirFormats

/// Argument checks shared by the functions: a typed value, nil for null or
/// missing, or an EvalError naming the function and what it got.
enum FunctionArguments {
    @inline(__always)
    static func string(_ cell: Cell, _ function: String, _ source: String) throws(EvalError) -> ByteSpan? {
        switch cell {
        case .string(let s): return s
        case .missing, .null: return nil
        default: throw wrongType(function, "a string", cell, source)
        }
    }

    @inline(__always)
    static func int(_ cell: Cell, _ function: String, _ source: String) throws(EvalError) -> Int64? {
        switch cell {
        case .int(let v): return v
        case .missing, .null: return nil
        default: throw wrongType(function, "an integer", cell, source)
        }
    }

    static func wrongType(_ function: String, _ expected: String, _ cell: Cell, _ source: String) -> EvalError {
        EvalError("bad argument: \(function) expects \(expected), found \(CellDescription.typeName(cell)) in `\(source)`")
    }
}
