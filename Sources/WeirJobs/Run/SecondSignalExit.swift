import Glibc
import Logging
import ServiceLifecycle
import UnixSignals

/// The first SIGTERM or SIGINT starts a graceful shutdown (the service group's);
/// a second one while it runs exits at once, as operators expect of Ctrl-C
/// pressed twice. List it first in the group: groups stop in reverse order,
/// so it is told to shut down last and listens through the whole drain.
public struct SecondSignalExit: Service {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await cancelWhenGracefulShutdown {
            var seen = 0
            for await signal in signals {
                seen += 1
                if seen >= 2 {
                    logger.warning("second \(signal): exiting without waiting for the jobs to drain")
                    exit(130)
                }
            }
        }
    }
}
