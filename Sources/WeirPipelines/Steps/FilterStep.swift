import WeirEngine
import Yams

/// `- filter: "expression"` keeps records for which the expression is true
/// (false, null and missing drop the record).
enum FilterStep {
    static func load(_ node: Node, _ field: String, _ index: Int, _ reader: inout YAMLReader) -> StepDefinition.Kind? {
        reader.expression(node, field).map { .filter($0) }
    }

    static func compile(_ expression: PipelineExpression, into b: inout ProgramBuilder) {
        guard let c = b.compile(expression) else { return }
        if c.type.neverFits(.bool) {
            b.error(expression.location, "a filter must be a boolean expression (true keeps the record), found \(c.type)")
            return
        }
        if c.constant == .bool(false) || c.constant == .null {
            b.error(expression.location, "this filter is never true: it would drop every record")
            return
        }
        b.steps.append(.filter(c.node))
    }
}
