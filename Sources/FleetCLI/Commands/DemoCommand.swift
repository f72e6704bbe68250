import ArgumentParser

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a scripted fleet on the embedded sandbox through a real MCP client connection.")

    func run() async throws {
        print("demo: not yet")
    }
}
