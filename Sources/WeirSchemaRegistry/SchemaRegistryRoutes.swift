import Foundation
import Hummingbird
import NIOCore
import WeirFormats

/// The REST endpoints, Confluent's paths and JSON shapes:
/// `GET /schemas/ids/{id}`, `GET /subjects`, `GET /subjects/{s}/versions`,
/// `GET /subjects/{s}/versions/{v|latest}`, `POST /subjects/{s}/versions`,
/// `POST /subjects/{s}`, `POST /compatibility/subjects/{s}/versions/{v|latest}`,
/// `GET|PUT /config`, `GET|PUT /config/{s}`.
enum SchemaRegistryRoutes {
    static let contentType = "application/vnd.schemaregistry.v1+json"
    static let maxBody = 16 << 20

    struct SchemaRequest: Decodable {
        var schema: String
        var schemaType: String?
    }
    struct ConfigRequest: Decodable { var compatibility: String? }

    static func router(_ store: SchemaStore, credentials: (username: String, password: String)? = nil) -> Router<BasicRequestContext> {
        let r = Router()
        if let c = credentials { r.add(middleware: BasicAuthMiddleware(username: c.username, password: c.password)) }
        r.get("/schemas/ids/:id") { _, ctx in
            guard let id = ctx.parameters.get("id").flatMap(Int.init), let s = store.schema(id: id) else {
                return error(.schemaNotFound)
            }
            var body: [String: JSONValue] = ["schema": .string(s.text)]
            if s.type != "AVRO" { body["schemaType"] = .string(s.type) }
            return json(.object(body))
        }
        r.get("/schemas/ids/:id/schema") { _, ctx in
            guard let id = ctx.parameters.get("id").flatMap(Int.init), let s = store.schema(id: id) else {
                return error(.schemaNotFound)
            }
            return raw(s.text)
        }
        r.get("/subjects") { _, _ in json(.array(store.subjects().map(JSONValue.string))) }
        r.get("/subjects/:subject/versions") { _, ctx in
            handle { () throws(RegistryError) in
                .array(try store.versions(subject: subject(ctx)).map { .int(Int64($0)) })
            }
        }
        r.get("/subjects/:subject/versions/:version") { _, ctx in
            handle { () throws(RegistryError) in
                registered(try store.version(subject: subject(ctx), ctx.parameters.get("version") ?? ""))
            }
        }
        r.get("/subjects/:subject/versions/:version/schema") { _, ctx in
            do throws(RegistryError) { return raw(try store.version(subject: subject(ctx), ctx.parameters.get("version") ?? "").schema) }
            catch { return Self.error(error) }
        }
        r.post("/subjects/:subject/versions") { request, ctx in
            let body = try await schemaBody(request)
            return handle { () throws(RegistryError) in
                let b = try body.get()
                return .object(["id": .int(Int64(try store.register(subject: subject(ctx), schema: b.schema, type: type(b))))])
            }
        }
        r.post("/subjects/:subject") { request, ctx in
            let body = try await schemaBody(request)
            return handle { () throws(RegistryError) in
                let b = try body.get()
                return registered(try store.lookup(subject: subject(ctx), schema: b.schema, type: type(b)))
            }
        }
        r.post("/compatibility/subjects/:subject/versions/:version") { request, ctx in
            let body = try await schemaBody(request)
            return handle { () throws(RegistryError) in
                let b = try body.get()
                let s = subject(ctx)
                // Checked against the subject's versions under its level ("latest"
                // and transitive levels as Confluent does); an unknown subject is compatible.
                let problems = try store.compatibilityProblems(subject: s, schema: b.schema, type: type(b))
                var out: [String: JSONValue] = ["is_compatible": .bool(problems.isEmpty)]
                if !problems.isEmpty { out["messages"] = .array(problems.map(JSONValue.string)) }
                return .object(out)
            }
        }
        r.get("/config") { _, _ in json(.object(["compatibilityLevel": .string(store.level(subject: nil).rawValue)])) }
        r.get("/config/:subject") { _, ctx in
            json(.object(["compatibilityLevel": .string(store.level(subject: subject(ctx)).rawValue)]))
        }
        r.put("/config") { request, _ in try await setLevel(request, store, subject: nil) }
        r.put("/config/:subject") { request, ctx in try await setLevel(request, store, subject: subject(ctx)) }
        return r
    }

    static func setLevel(_ request: Request, _ store: SchemaStore, subject: String?) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBody)
        let body = try? JSONDecoder().decode(ConfigRequest.self, from: Data(buffer.readableBytesView))
        return handle { () throws(RegistryError) in
            guard let text = body?.compatibility, let level = CompatibilityLevel(rawValue: text.uppercased()) else {
                throw RegistryError.invalidLevel(body?.compatibility ?? "(none)")
            }
            try store.setLevel(level, subject: subject)
            return .object(["compatibility": .string(level.rawValue)])
        }
    }

    static func subject(_ ctx: BasicRequestContext) -> String {
        let raw = ctx.parameters.get("subject") ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    static func type(_ b: SchemaRequest) -> String { (b.schemaType ?? "AVRO").uppercased() }

    static func schemaBody(_ request: Request) async throws -> Result<SchemaRequest, RegistryError> {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBody)
        guard let body = try? JSONDecoder().decode(SchemaRequest.self, from: Data(buffer.readableBytesView)) else {
            return .failure(.invalidSchema("Invalid request: expected {\"schema\": \"...\"}"))
        }
        return .success(body)
    }

    static func registered(_ s: RegisteredSchema) -> JSONValue {
        var o: [String: JSONValue] = ["id": .int(Int64(s.id)), "schema": .string(s.schema)]
        if let subject = s.subject { o["subject"] = .string(subject) }
        if let v = s.version { o["version"] = .int(Int64(v)) }
        if let t = s.schemaType { o["schemaType"] = .string(t) }
        return .object(o)
    }

    static func handle(_ body: () throws(RegistryError) -> JSONValue) -> Response {
        do { return json(try body()) } catch { return Self.error(error) }
    }

    static func json(_ v: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: v.text)))
    }

    static func raw(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ e: RegistryError) -> Response {
        json(.object(["error_code": .int(Int64(e.errorCode)), "message": .string(e.message)]),
             status: HTTPResponse.Status(code: e.status))
    }
}
