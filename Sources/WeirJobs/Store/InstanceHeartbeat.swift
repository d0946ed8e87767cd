import Foundation

/// An instance's sign of life in the jobs topic (key `instance/<id>`), written
/// at start and every `JobManager.heartbeatInterval`: every instance of the
/// service group reads them, so any one can say how many instances run
/// (`GET /overview`) without a coordinator. An instance not heard from for
/// three intervals is taken as gone.
public struct InstanceHeartbeat: Codable, Sendable, Equatable {
    public var instance: String
    /// Epoch ms when the instance's job manager started, and when it wrote this.
    public var startedMs: Int64
    public var heartbeatMs: Int64
    public var version: String

    public init(instance: String, startedMs: Int64, heartbeatMs: Int64, version: String) {
        self.instance = instance; self.startedMs = startedMs; self.heartbeatMs = heartbeatMs; self.version = version
    }
}
