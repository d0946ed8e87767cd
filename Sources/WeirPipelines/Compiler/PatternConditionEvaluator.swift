import WeirEngine
import WeirFormats

/// A compiled `where`/`until` of a pattern stage: the expression over the
/// event's slots plus the slots its stage references fill in.
struct CompiledPatternCondition {
    var node: RowExpression
    var references: [BoundStageReference]
    /// The event slots the expression reads: only these are copied per test.
    var eventSlots: [Int]
}

/// Runs one compiled condition as a `PatternCondition` of the CEP engine. It
/// copies the event's values into a reused row, adds the stage references
/// computed from the partial match (`PatternContext`), and evaluates. One per
/// operator instance: the row is reused, so it must not be shared across threads.
final class PatternConditionEvaluator {
    private let condition: CompiledPatternCondition
    private var row: Row

    init(_ condition: CompiledPatternCondition, slotCount: Int) {
        self.condition = condition
        row = Row(slotCount: slotCount, arenaCapacity: 1024)
    }

    func test(_ event: CEPEvent, _ ctx: PatternContext<CEPEvent>) -> Bool {
        row.reset()
        for i in condition.eventSlots where i < row.cells.count { row.cells[i] = event[i].store(into: &row) }
        for r in condition.references where r.slot < row.cells.count {
            row.cells[r.slot] = r.value(ctx.events(r.stage)).store(into: &row)
        }
        // An error (e.g. a string where a number is needed) is "does not match", as a filter drops such a record.
        guard let cell = try? condition.node.evaluate(&row) else { return false }
        return cell.isTrue
    }

    var asCondition: PatternCondition<CEPEvent> { { [self] e, ctx in test(e, ctx) } }
}
