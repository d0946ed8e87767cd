import Foundation
import Hummingbird

/// The web UI (docs/ui.md): the files of ui/, embedded by scripts/gen-ui.sh,
/// served at their relative paths with `index.html` at `/`. The pages use
/// relative URLs only, so the UI works under any path prefix an ingress adds.
enum UIRoutes {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    static let assets: [String: Asset] = {
        var all: [String: Asset] = [:]
        for (path, b64) in UIAssets.files {
            guard let data = Data(base64Encoded: b64) else { continue }
            all[path] = Asset(bytes: [UInt8](data), contentType: contentType(path))
        }
        return all
    }()

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: "application/octet-stream"
        }
    }

    static func add(to r: Router<BasicRequestContext>) {
        for (path, asset) in assets {
            r.get(RouterPath(path)) { _, _ in response(asset) }
        }
        if let index = assets["index.html"] {
            r.get("/") { _, _ in response(index) }
        }
    }

    /// Scripts only from this server, plus index.html's inline start-up script by
    /// its hash; nothing a record, key or pipeline text holds can run as script.
    static let contentSecurityPolicy: String = {
        let inline = UIAssets.inlineScriptHashes.map { " '\($0)'" }.joined()
        return "default-src 'self'; script-src 'self'\(inline); img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    }()

    static func response(_ a: Asset) -> Response {
        // Embedded in this binary: a new build brings new files; browsers revalidate.
        Response(status: .ok, headers: [.contentType: a.contentType, .cacheControl: "no-cache",
                                        .init("X-Content-Type-Options")!: "nosniff",
                                        .init("Content-Security-Policy")!: contentSecurityPolicy],
                 body: .init(byteBuffer: ByteBuffer(bytes: a.bytes)))
    }
}
