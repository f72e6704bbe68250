import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// What makes a template a project, per release (issue 18).
@Suite struct ProjectRuleTests {
    /// A seed with an AI-task template that declares no `AI Prompt` (as today's docs write them) and a template with
    /// the parameter but no `coder_ai_task` resource.
    static let seed: SandboxSeed = {
        var seed = SandboxSeed.default
        var modern = seed.templates[0]
        modern.name = "modern"
        modern.displayName = "Modern"
        modern.parameters = modern.parameters?.filter { $0.name != "AI Prompt" }
        var promptOnly = seed.templates[2]
        promptOnly.name = "prompt-only"
        promptOnly.displayName = "Prompt Only"
        promptOnly.parameters = seed.templates[0].parameters
        seed.templates += [modern, promptOnly]
        return seed
    }()

    /// 2.29+: Coder says which templates are AI-task templates (`GET /api/v2/templates?q=has-ai-task:true`, v2.30.0
    /// coderd/searchquery/search.go:336 on the active version's `has_ai_task`, coderd/database/queries/templates.sql:74–78),
    /// and coderd no longer needs `AI Prompt` (v2.29.0 coderd/aitasks.go:132–150 fills it only when declared; v2.30.0
    /// never). Before (2.27: v2.28.0 aitasks.go:182 and the 2.27 workspace path need the parameter) the parameter rule.
    @Test(arguments: [SandboxVersion.v2_27, .v2_28, .v2_29, .v2_35])
    func projectsByRelease(_ version: SandboxVersion) async throws {
        try await SandboxFleet.with(version: version, seed: Self.seed) { _, mcp in
            let projects = strings(try await mcp.ok("list_agent_projects")["projects"], "name").sorted()
            let byCoder = version.capabilities.projects == .aiTaskTemplate
            if byCoder {
                #expect(projects == ["modern", "platform", "webshop"], "\(version)")
            } else {
                // The parameter rule: "modern" lacks it (on 2.27 and 2.28 such a template cannot carry a prompt).
                #expect(projects == ["platform", "prompt-only", "webshop"], "\(version)")
            }
            let refused = try await mcp.failure("create_agent", ["name": "nope", "project": byCoder ? "prompt-only" : "modern", "task": "x"])
            #expect(refused.contains("is not a fleet project"), "\(version): \(refused)")
            if byCoder {
                let created = try await mcp.ok("create_agent", ["name": "mod", "project": "modern", "task": "Fix the cart total"])
                #expect(created["project"]?.stringValue == "modern")
                let done = try await mcp.ok("wait_for_agent", ["agent_name": "mod", "until": "settled", "timeout_seconds": 30])
                #expect(done["status"]?.stringValue == "complete", "\(version): \(done)")
                let shown = try await mcp.ok("show_agent", ["agent_name": "mod"])
                #expect(shown["task_prompt"]?.stringValue == "Fix the cart total")
            }
        }
    }
}
