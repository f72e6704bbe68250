import Fleet
import MCP

/// Projects and roles: what agents can be made of.
enum DiscoveryTools {
    static let project = Parameter.requiredString(
        "project", .string("Project name to query roles for (template name or display name, any case)", minLength: 1))

    static let all: [FleetTool] = [
        FleetTool(
            name: "list_agent_projects", title: "List agent projects",
            description: "List the projects agents can be created in: Coder's AI-task templates "
                + "(a coder_ai_task resource; before 2.29 an 'AI Prompt' parameter). Each lists its roles.",
            output: ProjectList.self, annotations: FleetTool.reads
        ) { fleet, _, _ in
            try await fleet.listProjects()
        },
        FleetTool(
            name: "list_agent_roles", title: "List agent roles",
            description: "List the roles (workspace presets of the project's active template version) an agent can be created with.",
            parameters: [project], output: RoleList.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.listRoles(project: try arguments[project])
        },
    ]
}
