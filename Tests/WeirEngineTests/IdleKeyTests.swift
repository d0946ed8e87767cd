import XCTest
@testable import WeirEngine

/// A key outlives its last window (tumbling keys come back in the next window)
/// but idle keys are swept once they exceed twice the peak of keys with
/// windows, so memory stays bounded (about three times that peak).
final class IdleKeyTests: XCTestCase {
    func intern(_ st: KeyedWindowState, _ k: Int) -> Int32 {
        Array("user-\(k)".utf8).withUnsafeBytes { st.internKey($0) }
    }

    func testIdleKeysAreReusedThenSwept() {
        let st = KeyedWindowState(width: 1, custom: [])
        var ids: [Int: Int32] = [:], windows: [Int: Int32] = [:]
        for k in 0..<3000 {
            let id = intern(st, k)
            ids[k] = id
            windows[k] = st.createWindow(id, 0, 60)
        }
        for k in 0..<1000 { st.removeWindow(windows[k] ?? -1) }   // 1000 idle keys: kept
        XCTAssertEqual(st.keys.count, 3000)
        XCTAssertEqual(st.idleKeys, 1000)
        for k in 0..<500 {                                         // they come back: same ids, no longer idle
            XCTAssertEqual(intern(st, k), ids[k])
            windows[k] = st.createWindow(ids[k] ?? -1, 60, 120)
        }
        XCTAssertEqual(st.idleKeys, 500)
        // New keys whose windows end: idle keys pile up to twice the peak of live keys (3000), then go.
        var maxKeys = 0, sweeps = 0
        for k in 3000..<20_000 {
            let before = st.idleKeys
            let w = st.createWindow(intern(st, k), 60, 120)
            st.removeWindow(w)
            if st.idleKeys < before { sweeps += 1 }
            maxKeys = max(maxKeys, st.keys.count)
        }
        XCTAssertGreaterThan(sweeps, 0)
        XCTAssertLessThanOrEqual(maxKeys, 3 * 3000 + 2, "idle keys are swept past twice the peak of live keys")
        for k in 500..<3000 where k >= 1000 { XCTAssertEqual(intern(st, k), ids[k], "live key \(k) kept its id") }
        for k in 0..<500 { XCTAssertEqual(intern(st, k), ids[k], "live key \(k) kept its id") }
        XCTAssertEqual(st.windowCount, 2500)
    }
}
