/// Working storage of shared buffers, one per NFA and shared by every key's
/// buffer (keys are processed one at a time, on the task's thread): kept for
/// its capacity, and in cache, instead of a set of arrays per key.
final class SharedBufferScratch<Event> {
    @exclusivity(unchecked) var releaseStack: [(node: Int32, version: DeweyNumber)] = []
    @exclusivity(unchecked) var searchPath: [SharedBuffer<Event>.Step] = []
    /// The last extraction's result: path k is `pathSteps[k == 0 ? 0 : pathEnds[k - 1] ..< pathEnds[k]]`, first event first.
    @exclusivity(unchecked) var pathSteps: [SharedBuffer<Event>.Step] = []
    @exclusivity(unchecked) var pathEnds: [Int] = []
    /// Events the buffers let go of, when `keepsFreedEvents` (the keyed
    /// operator reuses their storage for the next records); the owner empties it.
    @exclusivity(unchecked) var freedEvents: [Event] = []
    @exclusivity(unchecked) var keepsFreedEvents = false
}
