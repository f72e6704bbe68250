import CoderAPI
import Foundation

enum FleetFixtures {
    static let cassettes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/coder-v2.27.1")

    /// A running, ready workspace with a Claude Code app and reports, as real Coder v2.27.1 sent it.
    static func runningWorkspace() throws -> WorkspaceView {
        let cassette = try Cassette.load(cassettes.appendingPathComponent("get_workspace_success.yaml"))
        for interaction in cassette.interactions {
            guard let body = interaction.response.body.string,
                let workspace = try? CoderJSON.decode(WorkspaceView.self, from: Data(body.utf8)),
                workspace.latestBuild.status == .running, !workspace.latestBuild.resources.flatMap({ $0.agents ?? [] }).isEmpty
            else { continue }
            return workspace
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}
