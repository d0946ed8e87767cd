import XCTest
import WeirFormats
@testable import WeirPipelines

final class ServiceConfigTests: XCTestCase {
    func refused(_ yaml: String, env: [String: String] = [:]) -> Diagnostic? {
        do {
            _ = try ServiceConfig.load(yaml: yaml, file: "weir.yaml", environment: env, hostname: "h1")
            XCTFail("expected a refusal")
            return nil
        } catch {
            return error.first
        }
    }

    func testDefaults() throws {
        let c = try ServiceConfig.load(yaml: "# only comments\n", file: "weir.yaml", hostname: "box-1")
        XCTAssertEqual(c.kafka.bootstrapServers, "localhost:9092")
        XCTAssertEqual(c.kafka.properties, [:])
        XCTAssertEqual(c.parallelism, 2)
        XCTAssertEqual(c.instanceID, "box-1")
        XCTAssertEqual(c.dataDir, "data")
        XCTAssertEqual(c, ServiceConfig.defaults(hostname: "box-1"))
        XCTAssertFalse(ServiceConfig.hostname().isEmpty)
    }

    func testFileValues() throws {
        let yaml = """
        kafka:
          bootstrapServers: k1:9092,k2:9092
          properties:
            security.protocol: SASL_SSL
            linger.ms: 5
            enable.ssl.certificate.verification: false
        parallelism: 8
        instanceID: weir-0
        dataDir: /var/lib/weir

        """
        let c = try ServiceConfig.load(yaml: yaml, file: "weir.yaml", hostname: "h1")
        XCTAssertEqual(c.kafka.bootstrapServers, "k1:9092,k2:9092")
        XCTAssertEqual(c.kafka.properties, ["security.protocol": "SASL_SSL", "linger.ms": "5",
                                            "enable.ssl.certificate.verification": "false"])
        XCTAssertEqual(c.parallelism, 8)
        XCTAssertEqual(c.instanceID, "weir-0")
        XCTAssertEqual(c.dataDir, "/var/lib/weir")
    }

    func testEnvironmentOverridesFile() throws {
        let env = [
            "WEIR_KAFKA_BOOTSTRAP_SERVERS": "broker:29092",
            "WEIR_PARALLELISM": "4",
            "WEIR_INSTANCE_ID": "pod-7",
            "WEIR_DATA_DIR": "/data",
            "WEIR_KAFKA_PROPERTY_SECURITY_PROTOCOL": "SSL",
            "WEIR_KAFKA_PROPERTY_SASL_USERNAME": "weir",
            "UNRELATED": "x",
        ]
        let c = try ServiceConfig.load(yaml: "parallelism: 8\nkafka: {properties: {security.protocol: PLAINTEXT}}\n",
                                       file: "weir.yaml", environment: env, hostname: "h1")
        XCTAssertEqual(c.kafka.bootstrapServers, "broker:29092")
        XCTAssertEqual(c.parallelism, 4)
        XCTAssertEqual(c.instanceID, "pod-7")
        XCTAssertEqual(c.dataDir, "/data")
        XCTAssertEqual(c.kafka.properties, ["security.protocol": "SSL", "sasl.username": "weir"])
    }

    /// The registry for pipelines that name none: the file's keys as in a
    /// pipeline, its url overridden by WEIR_SCHEMA_REGISTRY_URL.
    func testSchemaRegistryFromFileAndEnvironment() throws {
        let yaml = "schemaRegistry:\n  url: https://sr.example:8081\n  username: weir\n  password: secret\n  retries: 5\n"
        var c = try ServiceConfig.load(yaml: yaml, file: "weir.yaml", environment: [:], hostname: "h")
        XCTAssertEqual(c.schemaRegistry?.url, "https://sr.example:8081")
        XCTAssertEqual(c.schemaRegistry?.username, "weir")
        XCTAssertEqual(c.schemaRegistry?.password, "secret")
        XCTAssertEqual(c.schemaRegistry?.retries, 5)
        c = try ServiceConfig.load(yaml: yaml, file: "weir.yaml", environment: ["WEIR_SCHEMA_REGISTRY_URL": "http://other:8081"], hostname: "h")
        XCTAssertEqual(c.schemaRegistry?.url, "http://other:8081")
        XCTAssertEqual(c.schemaRegistry?.username, "weir", "the file's other keys stay")
        c = try ServiceConfig.load(yaml: "", file: "weir.yaml", environment: ["WEIR_SCHEMA_REGISTRY_URL": "http://only-env:8081"], hostname: "h")
        XCTAssertEqual(c.schemaRegistry, SchemaRegistryConfig(url: "http://only-env:8081"))
        XCTAssertNil(try ServiceConfig.load(yaml: "parallelism: 2\n", file: "weir.yaml", environment: [:], hostname: "h").schemaRegistry)

        let d = refused("parallelism: 2\nschemaRegistry: {url: localhost:8081}\n")
        XCTAssertEqual(d?.line, 2)
        XCTAssertEqual(d?.field, "schemaRegistry.url")
        XCTAssertEqual(refused("schemaRegistry: {username: x}\n")?.message.contains("url"), true)
        XCTAssertEqual(refused("schemaRegistry: {url: http://x, retry: 3}\n")?.field, "schemaRegistry.retry")
        XCTAssertEqual(refused("", env: ["WEIR_SCHEMA_REGISTRY_URL": "sr:8081"])?.field, "WEIR_SCHEMA_REGISTRY_URL")
    }

    /// Registry credentials from the environment (a Kubernetes Secret), over the file's.
    func testSchemaRegistryCredentialsFromEnvironment() throws {
        let env = ["WEIR_SCHEMA_REGISTRY_URL": "https://sr:8081", "WEIR_SCHEMA_REGISTRY_USERNAME": "svc", "WEIR_SCHEMA_REGISTRY_PASSWORD": "s3cret"]
        let c = try ServiceConfig.load(yaml: "", file: "weir.yaml", environment: env, hostname: "h")
        XCTAssertEqual(c.schemaRegistry?.url, "https://sr:8081")
        XCTAssertEqual(c.schemaRegistry?.username, "svc")
        XCTAssertEqual(c.schemaRegistry?.password, "s3cret")
        let file = "schemaRegistry:\n  url: https://sr.example:8081\n  username: weir\n  password: from-file\n"
        let d = try ServiceConfig.load(yaml: file, file: "weir.yaml", environment: ["WEIR_SCHEMA_REGISTRY_PASSWORD": "from-env"], hostname: "h")
        XCTAssertEqual(d.schemaRegistry?.username, "weir")
        XCTAssertEqual(d.schemaRegistry?.password, "from-env")
        XCTAssertEqual(refused("", env: ["WEIR_SCHEMA_REGISTRY_USERNAME": "svc"])?.field, "WEIR_SCHEMA_REGISTRY_USERNAME")
    }

    func testBadParallelismInFile() {
        let d = refused("kafka:\n  bootstrapServers: k:9092\nparallelism: many\n")
        XCTAssertEqual(d?.line, 3)
        XCTAssertEqual(d?.column, 14)
        XCTAssertEqual(d?.field, "parallelism")
        XCTAssertEqual(d?.message.contains("expected an integer from 1 to 64, found 'many'"), true)
    }

    func testUnknownKeySuggestsClosest() {
        let d = refused("kafka:\n  bootstrapServer: k:9092\n")
        XCTAssertEqual(d?.line, 2)
        XCTAssertEqual(d?.column, 3)
        XCTAssertEqual(d?.field, "kafka.bootstrapServer")
        XCTAssertEqual(d?.message.contains("did you mean 'bootstrapServers'?"), true)
    }

    func testManagedPropertyRefused() {
        let d = refused("kafka:\n  properties:\n    transactional.id: mine\n")
        XCTAssertEqual(d?.line, 3)
        XCTAssertEqual(d?.column, 5)
        XCTAssertEqual(d?.field, "kafka.properties.transactional.id")
        XCTAssertEqual(d?.message.contains("managed by Weir"), true)
    }

    func testBadTypesInFile() {
        XCTAssertEqual(refused("kafka: [a]\n")?.message, "expected a mapping, found a list")
        XCTAssertEqual(refused("instanceID: a b\n")?.column, 13)
        XCTAssertEqual(refused("kafka:\n  bootstrapServers: 'a:1, b:2'\n")?.message.contains("without spaces"), true)
        XCTAssertEqual(refused("kafka:\n  properties:\n    linger.ms: [1]\n")?.field, "kafka.properties.linger.ms")
        XCTAssertEqual(refused("parallelism: [\n")?.field, "(yaml)")
    }

    func testBadEnvironmentValues() {
        let d = refused("", env: ["WEIR_PARALLELISM": "zero"])
        XCTAssertEqual(d?.field, "WEIR_PARALLELISM")
        XCTAssertEqual(d?.file, "environment")
        XCTAssertEqual(d?.description, "environment: error: WEIR_PARALLELISM: expected an integer from 1 to 64, found 'zero'")
        XCTAssertEqual(refused("", env: ["WEIR_PARALLELISM": "65"])?.field, "WEIR_PARALLELISM")
        XCTAssertEqual(refused("", env: ["WEIR_INSTANCE_ID": "a/b"])?.field, "WEIR_INSTANCE_ID")
        XCTAssertEqual(refused("", env: ["WEIR_KAFKA_PROPERTY_GROUP_ID": "g"])?.message.contains("managed by Weir"), true)
        XCTAssertEqual(refused("", env: ["WEIR_KAFKA_PROPERTY_": "g"])?.field, "WEIR_KAFKA_PROPERTY_")
        XCTAssertEqual(refused("", env: ["WEIR_KAFKA_BOOTSTRAP_SERVERS": ""])?.field, "WEIR_KAFKA_BOOTSTRAP_SERVERS")
    }

    func testLoadFromPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-config-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("weir.yaml").path
        try "parallelism: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let c = try ServiceConfig.load(path: path, environment: [:], hostname: "h")
        XCTAssertEqual(c.parallelism, 3)
        XCTAssertThrowsError(try ServiceConfig.load(path: dir.appendingPathComponent("none.yaml").path, environment: [:]))
    }

    /// weir serve's keys: jobs, savepoints, rest (with TLS), shutdown; their variables; their errors.
    func testServeKeysAndTheirVariables() throws {
        let yaml = """
            jobs: {directory: /etc/weir/pipelines, topic: team-jobs}
            savepoints: {directory: /mnt/savepoints}
            rest:
              port: 9090
              address: 127.0.0.1
              token: from-file
              protectReads: true
              tls: {certificateFile: /tls/crt.pem, keyFile: /tls/key.pem}
            shutdown: {timeout: 45s}
            """
        var c = try ServiceConfig.load(yaml: yaml, file: "w.yaml", hostname: "h")
        XCTAssertEqual(c.jobsDirectory, "/etc/weir/pipelines")
        XCTAssertEqual(c.jobsTopic, "team-jobs")
        XCTAssertEqual(c.savepointsDirectory, "/mnt/savepoints")
        XCTAssertEqual(c.rest.port, 9090)
        XCTAssertEqual(c.rest.address, "127.0.0.1")
        XCTAssertEqual(c.rest.token, "from-file")
        XCTAssertTrue(c.rest.protectReads)
        XCTAssertEqual(c.rest.tlsCertificateFile, "/tls/crt.pem")
        XCTAssertEqual(c.rest.tlsKeyFile, "/tls/key.pem")
        XCTAssertEqual(c.shutdownTimeoutMs, 45_000)
        c = try ServiceConfig.load(yaml: yaml, file: "w.yaml", environment: [
            "WEIR_PIPELINES_DIR": "p2", "WEIR_JOBS_TOPIC": "t2", "WEIR_SAVEPOINTS_DIR": "s2", "WEIR_REST_PORT": "0", "WEIR_REST_TOKEN": "env-token",
        ], hostname: "h")
        XCTAssertEqual([c.jobsDirectory, c.jobsTopic, c.savepointsDirectory, c.rest.token ?? ""], ["p2", "t2", "s2", "env-token"])
        XCTAssertEqual(c.rest.port, 0)
        XCTAssertEqual(ServiceConfig.defaults(hostname: "h").savepointsDirectory, "data/savepoints")

        XCTAssertThrowsError(try ServiceConfig.load(yaml: "rest:\n  port: 70000\n", file: "w.yaml", hostname: "h")) { e in
            XCTAssertTrue("\(e)".contains("w.yaml:2:9: error: rest.port"), "\(e)")
        }
        XCTAssertThrowsError(try ServiceConfig.load(yaml: "rest:\n  tls: {certificateFile: a}\n", file: "w.yaml", hostname: "h")) { e in
            XCTAssertTrue("\(e)".contains("keyFile"), "\(e)")
        }
        XCTAssertThrowsError(try ServiceConfig.load(yaml: "shutdown: {timeout: 10ms}\n", file: "w.yaml", hostname: "h")) { e in
            XCTAssertTrue("\(e)".contains("shutdown.timeout"), "\(e)")
        }
        XCTAssertThrowsError(try ServiceConfig.load(yaml: "jobs: {directory: \"\"}\n", file: "w.yaml", hostname: "h"))
        XCTAssertThrowsError(try ServiceConfig.load(yaml: "", file: "w.yaml", environment: ["WEIR_REST_PORT": "http"], hostname: "h")) { e in
            XCTAssertTrue("\(e)".contains("WEIR_REST_PORT"), "\(e)")
        }
    }

    /// The shipped config/weir.yaml states the defaults.
    func testRepositoryConfigFileHoldsTheDefaults() throws {
        let path = repositoryRoot().appendingPathComponent("config/weir.yaml").path
        let c = try ServiceConfig.load(path: path, environment: [:], hostname: "h")
        XCTAssertEqual(c, ServiceConfig.defaults(hostname: "h"))
    }
}

import Foundation

/// The repository root, found from this source file's path.
func repositoryRoot(_ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
