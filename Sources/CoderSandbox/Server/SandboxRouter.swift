import Hummingbird
import Logging

/// The sandbox's Hummingbird router: request log, faults, latency and error answers as middleware, then one
/// route collection per area.
enum SandboxRouter {
    static func make(
        store: SandboxStore, simulator: Simulator, options: SandboxOptions, log: RequestLog,
        logger: Logger
    ) -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        // Middleware applies to the routes added after it; the outermost first.
        router.add(middleware: RequestLogMiddleware(log: log))
        if let faults = options.faults {
            router.add(middleware: FaultMiddleware(plan: faults, seed: faults.seed ?? options.seed.randomSeed))
        }
        if options.latency > .zero { router.add(middleware: LatencyMiddleware(latency: options.latency)) }
        router.add(middleware: ErrorMiddleware(store: store, logger: logger))
        let version = options.coderVersion
        router.addRoutes(ResourceRoutes(store: store, simulator: simulator, version: version).collection())
        router.addRoutes(BuildRoutes(store: store, simulator: simulator).collection())
        router.addRoutes(TaskRoutes(store: store, simulator: simulator, version: version).collection())
        router.addRoutes(AppProxyRoutes(store: store, simulator: simulator).collection())
        return router
    }
}
