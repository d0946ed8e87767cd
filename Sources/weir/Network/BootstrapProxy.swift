import Foundation
import Glibc
import Synchronization

/// Forwards TCP connections from a fixed local port to the embedded broker.
///
/// librdkafka's mock cluster listens on ephemeral ports only. Kafka clients use
/// the bootstrap address just for their first metadata request and then connect
/// to the brokers' advertised addresses directly, so forwarding the bootstrap
/// port is enough to give `weir broker --port P` a stable address.
final class BootstrapProxy: @unchecked Sendable {
    struct ProxyError: Error, CustomStringConvertible { let description: String }

    private let listenFD: Int32
    private let targetHost: String
    private let targetPort: UInt16
    private var closed = false

    init(port: Int, target: String) throws {
        let parts = target.split(separator: ":")
        guard parts.count == 2, let tp = UInt16(parts[1]), (1...65535).contains(port) else {
            throw ProxyError(description: "bad proxy address \(target) or port \(port)")
        }
        targetHost = String(parts[0]); targetPort = tp
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyError(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.address(host: "127.0.0.1", port: UInt16(port))
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 64) == 0 else {
            let msg = String(cString: strerror(errno)); Glibc.close(fd)
            throw ProxyError(description: "cannot listen on 127.0.0.1:\(port): \(msg)")
        }
        listenFD = fd
        let t = Thread { [self] in acceptLoop() }
        t.name = "weir-bootstrap-proxy"
        t.start()
    }

    func close() {
        guard !closed else { return }
        closed = true
        shutdown(listenFD, Int32(SHUT_RDWR))
        Glibc.close(listenFD)
    }

    private static func address(host: String, port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &addr.sin_addr)
        return addr
    }

    private func acceptLoop() {
        while !closed {
            let client = accept(listenFD, nil, nil)
            if client < 0 { if errno == EINTR { continue }; return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.address(host: targetHost == "localhost" ? "127.0.0.1" : targetHost, port: targetPort)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if ok != 0 { Glibc.close(client); Glibc.close(upstream); continue }
            let pair = SocketPair(client, upstream)
            Self.pump(from: client, to: upstream, pair: pair)
            Self.pump(from: upstream, to: client, pair: pair)
        }
    }

    /// Copies bytes one way until EOF, then half-closes the other side.
    private static func pump(from src: Int32, to dst: Int32, pair: SocketPair) {
        let t = Thread {
            var buf = [UInt8](repeating: 0, count: 64 * 1024)
            outer: while true {
                let n = buf.withUnsafeMutableBytes { recv(src, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                var off = 0
                while off < n {
                    let w = buf.withUnsafeBytes { send(dst, $0.baseAddress! + off, n - off, Int32(MSG_NOSIGNAL)) }
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break outer }
                    off += w
                }
            }
            shutdown(dst, Int32(SHUT_WR))
            shutdown(src, Int32(SHUT_RD))
            pair.directionDone()
        }
        t.start()
    }
}

/// Closes both sockets of a proxied connection once both directions are done,
/// so no fd is closed while the other pump may still use it.
final class SocketPair: Sendable {
    private let a: Int32, b: Int32
    private let done = Atomic<Int>(0)
    init(_ a: Int32, _ b: Int32) { self.a = a; self.b = b }
    func directionDone() {
        if done.add(1, ordering: .acquiringAndReleasing).newValue == 2 { Glibc.close(a); Glibc.close(b) }
    }
}
