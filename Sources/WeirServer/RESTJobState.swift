import Foundation
import Hummingbird
import WeirEngine
import WeirJobs

/// Beyond Flink's API: where a job is in its input (lag in records and in
/// seconds), its event time per partition, one key's state (queryable
/// state), and its newest dead letters. Each
/// answer is this instance's share of the job (`instance` says which): the
/// tasks publish these tables about once a second.
extension RESTRoutes {
    static func addJobState(_ r: Router<BasicRequestContext>, _ manager: JobManager) {
        r.get("/jobs/:jobid/lag") { _, context -> LagAnswer in
            let j = try job(manager, context)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let parts = partitions(j).map { task, p in
                LagAnswer.Partition(topic: p.topic, partition: p.partition, task: task, committedOffset: p.committedOffset, offset: p.position,
                                    endOffset: p.endOffset, lagRecords: p.lagRecords, lagSeconds: p.lagSeconds(nowMs: now))
            }
            return LagAnswer(jid: j.id.hex, instance: manager.instanceID, totalLagRecords: parts.reduce(0) { $0 + ($1.lagRecords ?? 0) },
                             maxLagSeconds: parts.compactMap(\.lagSeconds).max(), partitions: parts)
        }
        r.get("/jobs/:jobid/watermarks") { _, context -> WatermarksAnswer in
            let j = try job(manager, context)
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return WatermarksAnswer(jid: j.id.hex, instance: manager.instanceID, partitions: partitions(j).map { task, p in
                .init(topic: p.topic, partition: p.partition, task: task, watermark: p.watermarkMs,
                      watermarkTime: p.watermarkMs.map { iso.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) }, idle: p.idle)
            })
        }
        r.get("/jobs/:jobid/state") { request, context -> Response in try await state(request, try job(manager, context), manager) }
        r.get("/jobs/:jobid/dead-letters") { request, context -> DeadLettersAnswer in
            let j = try job(manager, context)
            var limit = 20
            if let l = request.uri.queryParameters.get("limit") {
                guard let n = Int(l), (1...TaskMetrics.deadLetterSamples).contains(n) else {
                    throw HTTPError(.badRequest, message: "limit must be 1 to \(TaskMetrics.deadLetterSamples), not \(l)")
                }
                limit = n
            }
            let all = j.jobs.inOrder.flatMap { $0.slotMetrics.flatMap(\.deadLetters) }.sorted { $0.timestampMs > $1.timestampMs }
            return DeadLettersAnswer(jid: j.id.hex, instance: manager.instanceID, deadLetters: all.prefix(limit).map { d in
                .init(timestamp: d.timestampMs, errorClass: d.errorClass, reason: d.reason, topic: d.topic, partition: d.partition,
                      offset: d.offset, valueBytes: d.valueBytes, preview: safePreview(d.preview),
                      previewBase64: Data(d.preview).base64EncodedString())
            })
        }
    }

    /// `GET /jobs/{id}/state?key=…`: one key's open windows or running
    /// aggregate, asked of this instance's tasks (each answers between two
    /// batches). `key` once per key field, in order.
    static func state(_ request: Request, _ j: ManagedJob, _ manager: JobManager) async throws -> Response {
        let stage = j.jobs.main
        let fields = stage.keyFieldNames
        guard !fields.isEmpty else { throw HTTPError(.badRequest, message: "job \(j.name) keeps no keyed state (no window or aggregate)") }
        let values: [String] = request.uri.queryParameters.getAll("key").map { String($0) }
        guard values.count == fields.count else {
            throw HTTPError(.badRequest, message: "the state of \(j.name) is keyed by \(fields.joined(separator: ", ")): give key=… \(fields.count == 1 ? "once" : "once per field, in that order")")
        }
        guard values.allSatisfy({ $0.utf8.count <= 4096 }) else { throw HTTPError(.badRequest, message: "a key is at most 4096 bytes") }
        let query = StateQuery(keys: StateQuery.candidates(values))
        let asked = stage.queryState(query)
        let deadline = ContinuousClock.now + .seconds(2)
        while query.answered < asked && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        let entries: [[String: Any]] = query.entries.map { e in
            var fieldsJSON: [String: Any] = [:]
            for (name, value) in e.fields {
                switch value {
                case .null: fieldsJSON[name] = NSNull()
                case .bool(let b): fieldsJSON[name] = b
                case .int(let i): fieldsJSON[name] = i
                case .double(let d): fieldsJSON[name] = d
                case .string(let s): fieldsJSON[name] = s
                case .json(let s): fieldsJSON[name] = (try? JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed])) ?? s
                }
            }
            return ["partition": e.partition, "fired": e.fired, "fields": fieldsJSON]
        }
        let answer: [String: Any] = ["jid": j.id.hex, "instance": manager.instanceID, "key-fields": fields, "key": values,
                                     "tasks-asked": asked, "tasks-answered": Swift.min(query.answered, asked), "entries": entries]
        let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Every partition the job's stages hold here, with the task that holds it.
    static func partitions(_ job: ManagedJob) -> [(task: String, status: PartitionStatus)] {
        job.jobs.inOrder.flatMap { stage in
            stage.slotMetrics.enumerated().flatMap { slot, m in m.partitions.map { ("\(stage.spec.name) (slot \(slot))", $0) } }
        }
    }

    /// Bytes as text a browser or terminal shows safely: printable UTF-8 kept,
    /// control characters and invalid bytes as `\xHH`.
    static func safePreview(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if length > 1, i + length <= bytes.count, let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                out += s; i += length; continue
            }
            if length == 1, b >= 0x20, b != 0x7f { out.append(Character(Unicode.Scalar(b))) } else { out += String(format: "\\x%02X", b) }
            i += 1
        }
        return out
    }
}
