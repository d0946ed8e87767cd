import XCTest
import Foundation
import WeirFormats
import WeirSchemaRegistry

/// The client against the embedded server over real HTTP on loopback.
final class SchemaRegistryTests: XCTestCase {
    let v1 = #"{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}"#
    let v2 = #"{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":"string","default":""}]}"#
    let v2NoDefault = #"{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":"string"}]}"#
    let v3Removed = #"{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"email","type":"string","default":""}]}"#

    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "weir-registry-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func withRegistry(credentials: (String, String)? = nil, clientAuth: (String, String)? = nil,
                      _ body: (SchemaRegistryClient, EmbeddedSchemaRegistry) async throws -> Void) async throws {
        let server = try EmbeddedSchemaRegistry(directory: directory, credentials: credentials.map { (username: $0.0, password: $0.1) })
        let url = try await server.start()
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url, username: clientAuth?.0, password: clientAuth?.1,
                                                                           retries: 0))
        do {
            try await body(client, server)
        } catch {
            try? await client.shutdown(); await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    func testEndpointsRoundTrip() async throws {
        try await withRegistry { client, _ in
            let id1 = try await client.register(subject: "users-value", schema: v1)
            XCTAssertEqual(id1, 1)
            let r1 = try await client.register(subject: "users-value", schema: v1)

            XCTAssertEqual(r1, id1, "registering again gives the same id")
            // Same schema with other whitespace: same id under another subject, too.
            let spaced = v1.replacingOccurrences(of: ",", with: " , ")
            let r2 = try await client.register(subject: "other-value", schema: spaced)

            XCTAssertEqual(r2, id1)
            let id2 = try await client.register(subject: "users-value", schema: v2)
            XCTAssertEqual(id2, 2)
            let fetched = try await client.schema(id: id2)
            XCTAssertEqual(fetched.schema, v2)
            let latest = try await client.latest(subject: "users-value")
            XCTAssertEqual(latest.version, 2); XCTAssertEqual(latest.id, id2)
            let r3 = try await client.versions(subject: "users-value")

            XCTAssertEqual(r3, [1, 2])
            let r4 = try await client.subjects()

            XCTAssertEqual(r4, ["other-value", "users-value"])
            let found = try await client.lookup(subject: "users-value", schema: v1)
            XCTAssertEqual(found.version, 1); XCTAssertEqual(found.id, id1)
            let r5 = try await client.isCompatible(subject: "users-value", schema: v3Removed)

            XCTAssertTrue(r5)
            let r6 = try await client.isCompatible(subject: "users-value", schema: #"{"type":"record","name":"User","namespace":"t","fields":[{"name":"id","type":"string"}]}"#)

            XCTAssertFalse(r6)
            // The AvroSchemaSource form parses what it fetched.
            let parsed = try client.schema(id: UInt32(id2))
            guard case .record(let r) = parsed.root else { return XCTFail("not a record") }
            XCTAssertEqual(r.fields.map(\.name), ["id", "name", "email"])
        }
    }

    func testErrorsCarryConfluentCodesAndContext() async throws {
        try await withRegistry { client, _ in
            _ = try await client.register(subject: "users-value", schema: v1)
            do {
                _ = try await client.register(subject: "users-value", schema: v2NoDefault)
                XCTFail("an incompatible schema was registered")
            } catch let error as SchemaRegistryError {
                XCTAssertEqual(error.kind, .incompatible)
                XCTAssertEqual(error.status, 409); XCTAssertEqual(error.errorCode, 409)
                XCTAssertTrue(error.description.contains("users-value"), error.description)
                XCTAssertTrue(error.message.contains("email"), error.message)
            }
            do { _ = try await client.schema(id: 999); XCTFail() } catch let error as SchemaRegistryError {
                XCTAssertEqual(error.errorCode, 40403); XCTAssertTrue(error.description.contains("schema id 999"))
            }
            do { _ = try await client.latest(subject: "nope"); XCTFail() } catch let error as SchemaRegistryError { XCTAssertEqual(error.errorCode, 40401) }
            do { _ = try await client.register(subject: "x", schema: "{\"type\":\"nonsense\"}"); XCTFail() } catch let error as SchemaRegistryError {
                XCTAssertEqual(error.errorCode, 42201); XCTAssertEqual(error.kind, .invalidSchema)
            }
            do { _ = try await client.lookup(subject: "users-value", schema: v2); XCTFail() } catch let error as SchemaRegistryError { XCTAssertEqual(error.errorCode, 40403) }
            XCTAssertThrowsError(try client.schema(id: UInt32(4242))) { e in XCTAssertEqual((e as? DecodeError)?.kind, .unknownSchema) }
        }
    }

    func testCompatibilityModes() async throws {
        try await withRegistry { client, _ in
            // BACKWARD (default): a new field needs a default; removing a field is fine.
            _ = try await client.register(subject: "b", schema: v1)
            _ = try await client.register(subject: "b", schema: v2)
            _ = try await client.register(subject: "b", schema: v3Removed)
            // FORWARD: old readers must read new data: removing a field without default fails.
            try await client.setCompatibility("FORWARD", subject: "f")
            _ = try await client.register(subject: "f", schema: v2)
            do { _ = try await client.register(subject: "f", schema: v3Removed); XCTFail("FORWARD let a defaultless field be removed") }
            catch let error as SchemaRegistryError { XCTAssertEqual(error.errorCode, 409) }
            _ = try await client.register(subject: "f", schema: v2NoDefault)   // adding/keeping is fine forward
            // FULL: both ways.
            try await client.setCompatibility("FULL", subject: "full")
            _ = try await client.register(subject: "full", schema: v1)
            do { _ = try await client.register(subject: "full", schema: v2NoDefault); XCTFail() } catch let error as SchemaRegistryError { XCTAssertEqual(error.errorCode, 409) }
            _ = try await client.register(subject: "full", schema: v2)
            // NONE: anything.
            try await client.setCompatibility("NONE", subject: "none")
            _ = try await client.register(subject: "none", schema: v1)
            _ = try await client.register(subject: "none", schema: #"{"type":"record","name":"Other","fields":[{"name":"x","type":"int"}]}"#)
        }
    }

    func testSchemasSurviveARestart() async throws {
        var id = 0
        try await withRegistry { client, _ in
            id = try await client.register(subject: "keep-value", schema: v1)
            try await client.setCompatibility("NONE", subject: "keep-value")
        }
        try await withRegistry { client, _ in
            let r7 = try await client.schema(id: id).schema

            XCTAssertEqual(r7, v1)
            let r8 = try await client.latest(subject: "keep-value").id

            XCTAssertEqual(r8, id)
            let next = try await client.register(subject: "keep-value", schema: v2NoDefault)   // NONE was kept
            XCTAssertEqual(next, id + 1, "ids continue after the restart")
        }
    }

    func testBasicAuth() async throws {
        try await withRegistry(credentials: ("weir", "s3cret"), clientAuth: ("weir", "s3cret")) { client, _ in
            let r9 = try await client.register(subject: "a", schema: v1)

            XCTAssertEqual(r9, 1)
        }
        try await withRegistry(credentials: ("weir", "s3cret"), clientAuth: ("weir", "wrong")) { client, _ in
            do { _ = try await client.subjects(); XCTFail("wrong password accepted") } catch let error as SchemaRegistryError { XCTAssertEqual(error.kind, .unauthorized) }
        }
    }

    func testUnreachableRegistryIsUnavailableAfterRetries() async throws {
        let client = try SchemaRegistryClient(config: SchemaRegistryConfig(url: "http://127.0.0.1:1", connectTimeoutMs: 200,
                                                                           requestTimeoutMs: 500, retries: 2, retryBackoffMs: 10))
        let start = Date()
        XCTAssertThrowsError(try client.schema(id: UInt32(1))) { e in XCTAssertEqual((e as? DecodeError)?.kind, .registryUnavailable) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        try await client.shutdown()
    }
}

/// HTTPS: the client trusts a CA file, refuses an unknown certificate, or skips verification when told to.
final class SchemaRegistryTLSTests: XCTestCase {
    func testClientOverTLS() async throws {
        let dir = NSTemporaryDirectory() + "weir-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run(); openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl (Debian package openssl) must be installed")

        let server = try EmbeddedSchemaRegistry(directory: nil, tls: (cert, key))
        let url = try await server.start()
        XCTAssertTrue(url.hasPrefix("https://"))
        let schema = #"{"type":"record","name":"T","fields":[{"name":"a","type":"int"}]}"#

        let trusting = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url, caFile: cert, retries: 0))
        let id = try await trusting.register(subject: "t-value", schema: schema)
        XCTAssertEqual(id, 1)
        try await trusting.shutdown()

        let untrusting = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url, retries: 0))
        do { _ = try await untrusting.subjects(); XCTFail("an unknown certificate was accepted") }
        catch { XCTAssertEqual(error.kind, .unavailable, error.description) }
        try await untrusting.shutdown()

        let skipping = try SchemaRegistryClient(config: SchemaRegistryConfig(url: url, insecureSkipVerify: true, retries: 0))
        let subjects = try await skipping.subjects()
        XCTAssertEqual(subjects, ["t-value"])
        try await skipping.shutdown()
        await server.stop()
    }
}
