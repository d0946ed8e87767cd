import Testing
@testable import WeirServer

/// What the API and the UI show of a pipeline: its text with every secret value masked.
struct PipelineTextTests {
    @Test func secretValuesAreMaskedInBlockAndFlowMappings() {
        let yaml = """
            name: orders
            schemaRegistry:
              url: https://registry.example:8085
              username: weir
              password: hunter2  # not this either
            source: {kafka: {topic: in, properties: {sasl.password: "s3cret", client.id: c1}}}
            steps:
              - filter: "amount > 0"
            sink: {kafka: {topic: out}}
            credentials: [a, b]
            """
        let masked = PipelineText.masked(yaml)
        #expect(!masked.contains("hunter2"))
        #expect(!masked.contains("s3cret"))
        #expect(masked.contains("  password: ******"))
        #expect(masked.contains("sasl.password: ******, client.id: c1}"))
        #expect(masked.contains("username: weir"), "only secrets are masked")
        #expect(masked.contains("url: https://registry.example:8085"))
        #expect(masked.contains(#"filter: "amount > 0""#))
        #expect(masked.contains("credentials: ******"))
        #expect(masked.split(separator: "\n", omittingEmptySubsequences: false).count == yaml.split(separator: "\n", omittingEmptySubsequences: false).count,
                "line numbers stay (diagnostics point into it)")
    }

    @Test func aQuotedValueWithAColonIsMaskedWhole() {
        let masked = PipelineText.masked("password: \"x: y\"\n")
        #expect(masked == "password: ******\n")
    }
}

struct DeadLetterPreviewTests {
    @Test func bytesBecomeTextThatCannotRunAsScript() {
        let bytes: [UInt8] = Array("<script>alert(1)</script> é".utf8) + [0x00, 0x1b, 0xff, 0x0a]
        let preview = RESTRoutes.safePreview(bytes)
        #expect(preview == "<script>alert(1)</script> é\\x00\\x1B\\xFF\\x0A")
        // The page puts it in as text (docs/ui.md); the JSON carries it as a string either way.
    }
}

struct UIRoutesTests {
    @Test func contentTypesByExtension() {
        #expect(UIRoutes.contentType("index.html") == "text/html; charset=utf-8")
        #expect(UIRoutes.contentType("pages/job.js") == "text/javascript; charset=utf-8")
        #expect(UIRoutes.contentType("style.css") == "text/css; charset=utf-8")
        #expect(UIRoutes.contentType("x.bin") == "application/octet-stream")
    }
}
