import WeirEngine
import WeirFormats

/// A constant that needs no bytes: null, boolean, integer or decimal.
final class ConstantNode: RowExpression {
    let value: Cell
    init(_ value: Cell) { self.value = value }
    func evaluate(_ row: inout Row) throws(EvalError) -> Cell { value }
}

/// A string constant: its bytes are copied into the row's arena, because a
/// cell can only point into the arena.
final class StringConstantNode: RowExpression {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func evaluate(_ row: inout Row) throws(EvalError) -> Cell {
        .string(ArenaText.append(bytes, &row))
    }
}

/// Reads a slot: a decoded input field or a value computed by an earlier step.
final class FieldNode: RowExpression {
    let slot: Int
    init(slot: Int) { self.slot = slot }
    func evaluate(_ row: inout Row) throws(EvalError) -> Cell { row.cells[slot] }
}
