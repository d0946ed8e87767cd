import XCTest
import WeirEngine
@testable import WeirPipelines

/// `sink.kafka.deliveryGuarantee` in pipeline files.
final class DeliveryGuaranteePipelineTests: XCTestCase {
    func pipeline(sink: String) -> String {
        "name: t\nsource: {kafka: {topic: in}}\nsink:\n  kafka:\n    topic: out\n\(sink)"
    }

    func testExactlyOnceUnlessSaidOtherwise() throws {
        let p = try PipelineLoader.load(yaml: pipeline(sink: ""), file: "p.yaml")
        XCTAssertEqual(p.job.sink.deliveryGuarantee, .exactlyOnce)
        guard case .kafka(let k) = p.definition.sink.kind else { return XCTFail("not a Kafka sink") }
        XCTAssertEqual(k.deliveryGuarantee, .exactlyOnce)
    }

    func testEachGuaranteeReachesTheJob() throws {
        for g in DeliveryGuarantee.allCases {
            let p = try PipelineLoader.load(yaml: pipeline(sink: "    deliveryGuarantee: \(g.rawValue)\n"), file: "p.yaml")
            XCTAssertEqual(p.job.sink.deliveryGuarantee, g, g.rawValue)
        }
        let flow = try PipelineLoader.load(yaml: "name: t\nsource: {kafka: {topic: in}}\nsink: {kafka: {topic: out, deliveryGuarantee: none}}\n",
                                           file: "p.yaml")
        XCTAssertEqual(flow.job.sink.deliveryGuarantee, DeliveryGuarantee.none)
    }

    func testUnknownGuaranteeIsRefusedWithItsPlaceAndTheChoices() {
        XCTAssertThrowsError(try PipelineLoader.load(yaml: pipeline(sink: "    deliveryGuarantee: maybe\n"), file: "p.yaml")) { error in
            guard let e = error as? PipelineError, let d = e.first else { return XCTFail("\(error)") }
            XCTAssertEqual(e.diagnostics.count, 1, "\(e)")
            XCTAssertEqual(d.description,
                           "p.yaml:6:24: error: sink.kafka.deliveryGuarantee: unknown delivery guarantee 'maybe': expected exactly-once, at-least-once or none")
        }
    }

    func testMisspeltGuaranteeGetsASuggestion() {
        XCTAssertThrowsError(try PipelineLoader.load(yaml: pipeline(sink: "    deliveryGuarantee: at-least-onse\n"), file: "p.yaml")) { error in
            let d = (error as? PipelineError)?.first
            XCTAssertEqual(d?.field, "sink.kafka.deliveryGuarantee")
            XCTAssertEqual(d?.message.hasSuffix("did you mean 'at-least-once'?"), true, "\(String(describing: d))")
        }
        XCTAssertThrowsError(try PipelineLoader.load(yaml: pipeline(sink: "    deliveryGuarantee: [exactly-once]\n"), file: "p.yaml")) { error in
            let d = (error as? PipelineError)?.first
            XCTAssertEqual(d?.line, 6)
            XCTAssertEqual(d?.message.contains("expected exactly-once, at-least-once or none"), true, "\(String(describing: d))")
        }
    }

    /// It belongs to the Kafka sink (file sinks have no such choice).
    func testOnlyTheKafkaSinkTakesIt() {
        let yaml = "name: t\nsource: {file: {paths: [in.jsonl]}}\nsink: {file: {path: out.jsonl, deliveryGuarantee: none}}\n"
        XCTAssertThrowsError(try PipelineLoader.load(yaml: yaml, file: "p.yaml")) { error in
            let d = (error as? PipelineError)?.first
            XCTAssertEqual(d?.field, "sink.file.deliveryGuarantee", "\(String(describing: d))")
            XCTAssertEqual(d?.line, 3)
        }
    }
}
