import Fleet
import MCP

/// Projects and roles: what agents can be made of.
enum DiscoveryTools {
    static func all(_ fleet: FleetService) -> [FleetTool] {
        [
            FleetTool(
                name: "list_agent_projects", title: "List agent projects",
                description: "List the projects agents can be created in: Coder templates whose active version has an 'AI Prompt' parameter. Each lists its roles.",
                input: [:],
                output: Schema.object(["projects": Schema.array(OutputSchemas.project, "Projects"), "total_count": Schema.integer("Number of projects")],
                                      required: ["projects", "total_count"]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { _, _ in
                let projects = try await fleet.listProjects()
                return .object(["projects": try structured(projects), "total_count": .int(projects.count)])
            },
            FleetTool(
                name: "list_agent_roles", title: "List agent roles",
                description: "List the roles (workspace presets of the project's active template version) an agent can be created with.",
                input: ["project": Schema.string("Project name to query roles for (template name or display name, any case)", minLength: 1)],
                required: ["project"],
                output: Schema.object(["project": Schema.string("Project name"), "roles": Schema.array(OutputSchemas.role, "Roles"),
                                       "default_role": Schema.string("Role used when create_agent names none"),
                                       "total_count": Schema.integer("Number of roles")],
                                      required: ["project", "roles", "total_count"]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                let (project, roles) = try await fleet.listRoles(project: try arguments.requiredString("project"))
                var result: [String: Value] = ["project": .string(project.name), "roles": try structured(roles), "total_count": .int(roles.count)]
                if let role = project.defaultRole { result["default_role"] = .string(role) }
                return .object(result)
            },
        ]
    }
}
