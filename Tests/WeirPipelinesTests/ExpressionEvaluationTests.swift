import XCTest
@testable import WeirPipelines
import WeirEngine
import WeirFormats

/// Table-driven evaluation over a hand-filled row.
final class ExpressionEvaluationTests: XCTestCase {
    let fields: [(String, TestRow.Value)] = [
        ("a", .int(7)), ("b", .int(2)), ("d", .double(2.5)), ("zero", .int(0)), ("dz", .double(0)),
        ("s", .string("Shop.Example")), ("e", .string("")), ("u", .string("ÄbC")), ("sp", .string("  hi \t")),
        ("num", .string(" 42 ")), ("dec", .string("1.5")), ("n", .null), ("m", .missing),
        ("t", .bool(true)), ("f", .bool(false)), ("big", .int(.max)), ("small", .int(.min)),
        ("hd", .double(1e19)), ("j", .json("{\"x\":1}")), ("odd name", .int(5)),
    ]

    func run(_ table: [(String, Expect)], file: StaticString = #filePath, line: UInt = #line) {
        for (text, expected) in table { check(text, expected, fields, file: file, line: line) }
    }

    func testArithmetic() {
        run([
            ("a + b", .int(9)), ("a - b", .int(5)), ("a * b", .int(14)), ("a / b", .int(3)), ("a % b", .int(1)),
            ("-a / b", .int(-3)), ("-a % b", .int(-1)),
            ("a + d", .double(9.5)), ("d * b", .double(5)), ("a / d", .double(2.8)), ("d % b", .double(0.5)),
            ("d - 0.5", .double(2)),
            ("2 + 3 * 4", .int(14)), ("(2 + 3) * 4", .int(20)), ("-2 * 3", .int(-6)), ("- -a", .int(7)),
            ("10 - 2 - 3", .int(5)), ("2 * 3 % 4", .int(2)), ("1.5e2 + 1", .double(151)), (".5 + a", .double(7.5)),
            ("-9223372036854775808", .int(.min)),
        ])
    }

    func testIntegerOverflowAndDivisionByZero() {
        run([
            ("big + 1", .error("integer overflow")), ("small - 1", .error("integer overflow")),
            ("big * 2", .error("integer overflow")), ("-small", .error("integer overflow")),
            ("small / -1", .error("integer overflow")), ("small % -1", .int(0)),
            ("a / zero", .error("division by zero in `a / zero`")), ("a % zero", .error("division by zero")),
            ("d / dz", .error("division by zero")), ("d / zero", .error("division by zero")),
            ("1e308 * d", .error("not a finite number")),
            ("1 / 0", .refused("fails for every record: division by zero")),
            ("9223372036854775808", .refused("does not fit in 64 bits")),
        ])
    }

    func testArithmeticWithNullAndWrongTypes() {
        run([
            ("a + n", .null), ("n * 2", .null), ("m - 1", .null), ("-n", .null), ("d / m", .null),
            ("s + s", .string("Shop.ExampleShop.Example")), ("s + e", .string("Shop.Example")),
            ("s + '!' + s", .string("Shop.Example!Shop.Example")),
            ("s + a", .error("cannot apply '+' to string and integer")),
            ("t + 1", .error("cannot apply '+' to boolean and integer")),
            ("j * 2", .error("object/array")),
            ("-s", .error("cannot negate string")),
            ("'a' * 2", .refused("cannot apply '*' to string and integer")),
            ("'a' + 1", .refused("use concat()")),
            ("-'a'", .refused("'-' needs a number")),
        ])
    }

    func testComparisons() {
        run([
            ("a > b", .bool(true)), ("a < b", .bool(false)), ("a == 7", .bool(true)), ("a != 7", .bool(false)),
            ("a >= 7", .bool(true)), ("a <= 6", .bool(false)), ("7 == a", .bool(true)), ("8 > a", .bool(true)),
            ("a == 7.0", .bool(true)), ("d > a", .bool(false)), ("d < 3", .bool(true)), ("b == 2.0", .bool(true)),
            ("a + 0 > b + 0", .bool(true)), ("d >= d", .bool(true)),
            ("9007199254740993 > 9007199254740992.0", .bool(true)),
            ("s == 'Shop.Example'", .bool(true)), ("s < 'Z'", .bool(true)), ("s < 'a'", .bool(true)),
            ("e < s", .bool(true)), ("s != 'x'", .bool(true)), ("s == s", .bool(true)), ("s > s + 'x'", .bool(false)),
            ("t == true", .bool(true)), ("t != f", .bool(true)), ("t == t", .bool(true)),
            ("s == a", .error("cannot compare string with integer")),
            ("s == 1", .error("cannot compare string with integer")),
            ("t == 1", .error("cannot compare boolean with integer")),
            ("t < f", .error("booleans can only be compared with == and !=")),
            ("j == j", .error("cannot compare object/array with object/array")),
            ("'a' < 1", .refused("cannot compare string with integer")),
            ("true < false", .refused("booleans can only be compared")),
            ("a < b < 3", .refused("cannot be chained")),
        ])
    }

    func testNullSemantics() {
        run([
            ("n == 1", .bool(false)), ("n != 1", .bool(false)), ("m > 0", .bool(false)), ("n == n", .bool(false)),
            ("n < s", .bool(false)),
            ("n == null", .bool(true)), ("m == null", .bool(true)), ("a == null", .bool(false)),
            ("a != null", .bool(true)), ("null == n", .bool(true)), ("m != null", .bool(false)),
            ("n is null", .bool(true)), ("m is null", .bool(true)), ("a is null", .bool(false)),
            ("a is not null", .bool(true)), ("e is not null", .bool(true)), ("j is null", .bool(false)),
            ("a + n is null", .bool(true)), ("null", .null), ("m", .null),
            ("a > null", .refused("use 'is null'")),
        ])
        XCTAssertFalse(Cell.null.isTrue)
        XCTAssertFalse(Cell.missing.isTrue)
    }

    func testLogicAndShortCircuit() {
        run([
            ("t and f", .bool(false)), ("t and t", .bool(true)), ("f or t", .bool(true)), ("f or f", .bool(false)),
            ("not t", .bool(false)), ("not f", .bool(true)), ("t AND NOT f", .bool(true)),
            ("n and f", .bool(false)), ("n and t", .null), ("n or t", .bool(true)), ("n or f", .null),
            ("not n", .null), ("f and n", .bool(false)), ("t or n", .bool(true)), ("m and t", .null),
            ("f and a / zero > 1", .bool(false)), ("t or a / zero > 1", .bool(true)),
            ("t and a / zero > 1", .error("division by zero")), ("n and a / zero > 1", .error("division by zero")),
            ("a and t", .error("'and' needs booleans, found integer")), ("f or s", .error("'or' needs booleans, found string")),
            ("not a", .error("'not' needs booleans, found integer")),
            ("not a > 8", .bool(true)), ("t or f and f", .bool(true)), ("(t or f) and f", .bool(false)),
            ("not 5", .refused("'not' needs a boolean")), ("1 and t", .refused("'and' needs booleans")),
        ])
    }

    func testStringFunctions() {
        run([
            ("lower(s)", .string("shop.example")), ("upper(s)", .string("SHOP.EXAMPLE")), ("LOWER(s)", .string("shop.example")),
            ("lower('abc')", .string("abc")), ("lower(u)", .string("äbc")), ("upper(u)", .string("ÄBC")),
            ("lower(e)", .string("")), ("lower(n)", .null),
            ("lower(a)", .error("lower expects a string, found integer")),
            ("length(s)", .int(12)), ("length(u)", .int(3)), ("length(e)", .int(0)), ("length(n)", .null),
            ("trim(sp)", .string("hi")), ("trim(e)", .string("")), ("trim(s)", .string("Shop.Example")),
            ("concat(s, '/', a, '/', d, '/', t)", .string("Shop.Example/7/2.5/true")),
            ("concat(s, n)", .null), ("concat(n, a / zero)", .error("division by zero")),
            ("concat(a)", .string("7")), ("concat(small)", .string("-9223372036854775808")),
            ("concat('x', lower(s), upper(s))", .string("xshop.exampleSHOP.EXAMPLE")),
            ("concat(a, lower(s), b, upper(s), d)", .string("7shop.example2SHOP.EXAMPLE2.5")),
            ("concat(e, e)", .string("")), ("concat(j)", .error("concat expects text, numbers or booleans")),
            ("substring(s, 1, 4)", .string("Shop")), ("substring(s, 6)", .string("Example")),
            ("substring(u, 2, 1)", .string("b")), ("substring(u, 1, 1)", .string("Ä")), ("substring(s, 100)", .string("")),
            ("substring(s, 5, 100)", .string(".Example")),
            ("substring(s, 0)", .error("start must be 1 or more")), ("substring(s, 2, -1)", .error("must not be negative")),
            ("substring(s, n)", .null), ("substring(s, 'x')", .refused("bad argument 2 of substring()")),
            ("contains(s, 'Ex')", .bool(true)), ("contains(s, 'ex')", .bool(false)), ("contains(s, '')", .bool(true)),
            ("contains(e, 'a')", .bool(false)),
            ("startsWith(s, 'Shop')", .bool(true)), ("endsWith(s, 'ample')", .bool(true)),
            ("endsWith(s, 'Shop')", .bool(false)), ("startsWith(e, 'a')", .bool(false)),
            ("contains(n, 'a')", .null), ("contains(s, a)", .error("contains expects a string, found integer")),
            ("'it''s'", .string("it's")), ("'a\\nb'", .string("a\nb")), ("\"q\\\"\"", .string("q\"")),
            ("'\\u00e9t\\u00e9'", .string("été")), ("'tab\\tx'", .string("tab\tx")),
            ("'a\\q'", .refused("unknown escape '\\q'")),
            ("lowr(s)", .refused("unknown function 'lowr'; did you mean 'lower'?")),
            ("length()", .refused("length() takes 1 argument, found 0")),
            ("substring(s)", .refused("substring() takes 2 to 3 arguments, found 1")),
            ("concat()", .refused("concat() takes at least 1 argument, found 0")),
        ])
    }

    func testNumericFunctions() {
        run([
            ("abs(-3)", .int(3)), ("abs(d * -1)", .double(2.5)), ("abs(a)", .int(7)),
            ("abs(small)", .error("integer overflow")), ("abs(n)", .null), ("abs(s)", .error("abs expects a number, found string")),
            ("round(d)", .int(3)), ("round(-d)", .int(-3)), ("round(a)", .int(7)), ("round(12.5 * 100)", .int(1250)),
            ("round(3.14159, 2)", .double(3.14)), ("round(d, 0)", .double(3)), ("round(-d, 0)", .double(-3)),
            ("round(1234, -2)", .int(1200)), ("round(1250, -2)", .int(1300)), ("round(-1250, -2)", .int(-1300)),
            ("round(a, 2)", .int(7)), ("round(1234.5, -2)", .double(1200)),
            ("round(hd)", .error("integer overflow")), ("round(d, n)", .null), ("round(n)", .null),
            ("round(s)", .error("round expects a number, found string")),
            ("floor(d)", .int(2)), ("ceil(d)", .int(3)), ("floor(-d)", .int(-3)), ("ceil(-d)", .int(-2)),
            ("ceil(a)", .int(7)), ("floor(hd)", .error("integer overflow")),
            ("round(1e300)", .refused("fails for every record: integer overflow")),
            ("abs('x')", .refused("bad argument 1 of abs(): expected integer or decimal, found string")),
        ])
    }

    func testConversions() {
        run([
            ("toString(a)", .string("7")), ("toString(small)", .string("-9223372036854775808")),
            ("toString(d)", .string("2.5")), ("toString(t)", .string("true")), ("toString(f)", .string("false")),
            ("toString(j)", .string("{\"x\":1}")), ("toString(n)", .null), ("toString(s)", .string("Shop.Example")),
            ("toString(0.1 + 0.2)", .string("0.30000000000000004")), ("toString(zero)", .string("0")),
            ("toInt(num)", .int(42)), ("toInt(' -17 ')", .int(-17)), ("toInt(d)", .int(2)), ("toInt(-d)", .int(-2)),
            ("toInt(t)", .int(1)), ("toInt(a)", .int(7)), ("toInt(n)", .null),
            ("toInt(s)", .error("toInt: 'Shop.Example' is not an integer")),
            ("toInt(hd)", .error("integer overflow")), ("toInt(j)", .error("toInt expects")),
            ("toInt('9223372036854775808')", .refused("is not an integer")),
            ("toInt('-9223372036854775808')", .int(.min)),
            ("toDouble(dec)", .double(1.5)), ("toDouble(a)", .double(7)), ("toDouble(num)", .double(42)),
            ("toDouble('1e3')", .double(1000)), ("toDouble(s)", .error("toDouble: 'Shop.Example' is not a number")),
            ("toDouble(e)", .error("is not a number")), ("toDouble(n)", .null),
            ("toDouble('inf')", .refused("is not a number")),
        ])
    }

    func testConditionals() {
        run([
            ("if(t, 'yes', 'no')", .string("yes")), ("if(f, 'yes', 'no')", .string("no")), ("if(n, 1, 2)", .int(2)),
            ("if(a > 5, s, e)", .string("Shop.Example")), ("if(t, 1, a / zero)", .int(1)),
            ("if(a, 1, 2)", .error("if expects a boolean condition, found integer")),
            ("if(1, 2, 3)", .refused("bad argument 1 of if()")),
            ("coalesce(n, m, a)", .int(7)), ("coalesce(n, m)", .null), ("coalesce(s, a / zero)", .string("Shop.Example")),
            ("coalesce(n, 'x')", .string("x")),
        ])
    }

    func testFieldNames() {
        run([
            ("`odd name` + 1", .int(6)), ("nope", .refused("unknown field 'nope'")),
            ("a +", .refused("expected a value, field or function call, found the end of the expression")),
            ("a = 1", .refused("use '==' to compare")), ("t && f", .refused("use 'and'")), ("t || f", .refused("use 'or'")),
            ("!t", .refused("use 'not'")), ("a <> b", .bool(true)), ("(a", .refused("expected ')'")),
            ("a b", .refused("expected an operator or the end of the expression, found 'b'")),
            ("1abc", .refused("malformed number")), ("a ? b", .refused("unexpected character '?'")),
            ("'open", .refused("unterminated string")), ("a is 5", .refused("expected 'null' after 'is'")),
            ("a.(b)", .refused("expected a field name after '.'")), ("a(1)", .refused("unknown function 'a'")),
            (Array(repeating: "a", count: 300).joined(separator: " + "), .refused("nested too deeply")),
            (String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300), .refused("nested too deeply")),
            (String(repeating: "not ", count: 300) + "t", .refused("nested too deeply")),
            (Array(repeating: "a", count: 150).joined(separator: " + "), .int(1050)),
        ])
    }

    func testConstantFolding() throws {
        let t = TestRow(fields)
        XCTAssertTrue(try t.compile("1 + 2 * 3") is ConstantNode)
        XCTAssertTrue(try t.compile("lower('ABC') + 'x'") is StringConstantNode)
        XCTAssertTrue(try t.compile("a > 1") is FieldConstantComparisonNode)
        XCTAssertTrue(try t.compile("1 < a") is FieldConstantComparisonNode)
        XCTAssertTrue(try t.compile("s == 'x'") is FieldConstantComparisonNode)
        XCTAssertTrue(try t.compile("a + 1 > 1") is ComparisonNode)
        check("1 < a", .bool(true), fields)
        check("8 <= a", .bool(false), fields)
    }

    /// Repeated evaluation reuses the arena: after the first record no growth.
    func testSteadyStateDoesNotGrowTheArena() throws {
        var t = TestRow(fields)
        let node = try t.compile("concat(lower(s), '-', toString(a), '-', upper(trim(sp)), d)")
        let baseline = t.row.arena.count
        var capacity = 0
        for i in 0..<1000 {
            t.row.arena.removeSubrange(baseline...)
            let v = try node.evaluate(&t.row)
            guard case .string(let span) = v else { return XCTFail("not a string") }
            XCTAssertEqual(t.row.string(span), "shop.example-7-HI2.5")
            if i == 0 { capacity = t.row.arena.capacity }
        }
        XCTAssertEqual(t.row.arena.capacity, capacity)
    }
}
