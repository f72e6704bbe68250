import CMallocTuning
import FleetCLI
import Foundation

@main
struct FleetMain {
    static func main() async {
        limitMallocArenas()
        await FleetCommand.main()
    }

    /// One glibc malloc arena unless `MALLOC_ARENA_MAX` says otherwise. glibc gives threads their own arenas and
    /// keeps each at its high-water mark, so a large Coder answer decoded on one pool thread and summarised on another
    /// left two copies' worth of pages resident; with one arena peak memory follows the largest answer once
    /// (BENCHMARKS.md, Memory). Two cores make the shared arena's lock cheap.
    static func limitMallocArenas() {
        if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil { _ = fleet_limit_malloc_arenas(1) }
    }
}
