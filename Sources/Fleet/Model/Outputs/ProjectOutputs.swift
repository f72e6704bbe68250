import CoderAPI
import Foundation

/// A Coder template with an `AI Prompt` parameter on its active version.
public struct Project: Codable, Sendable, Hashable {
    public var name: String
    public var displayName: String
    public var description: String
    public var templateID: String
    public var activeVersionID: String
    public var organization: String
    /// The role (preset) used when `create_agent` names none.
    public var defaultRole: String?
    public var roles: [String]

    public static let schema = JSONSchema.object(
        [
            "name": .string("Project name (the Coder template name); pass it to create_agent"),
            "display_name": .string("Template display name"),
            "description": .string("Template description"),
            "template_id": .string("Coder template id"),
            "active_version_id": .string("Active template version id"),
            "organization": .string("Coder organization"),
            "default_role": .string("Role used when create_agent names none"),
            "roles": .array(.string("Role name"), "Role names"),
        ], required: ["name", "display_name", "description", "template_id", "active_version_id", "organization", "roles"])
}

/// A preset of a project's active template version.
public struct Role: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var isDefault: Bool
    public var presetID: String
    /// Parameter names the preset sets (e.g. `system_prompt`); values are not repeated here.
    public var sets: [String]

    enum CodingKeys: String, CodingKey {
        case name, description, isDefault = "default", presetID = "preset_id", sets
    }

    public static let schema = JSONSchema.object(
        [
            "name": .string("Role name; pass it to create_agent"),
            "description": .string("What the role is for"),
            "default": .boolean("Used when create_agent names no role"),
            "preset_id": .string("Coder preset id"),
            "sets": .array(.string("Parameter name"), "Template parameters the role sets"),
        ], required: ["name", "description", "default", "preset_id", "sets"])
}

/// The answer of `list_agent_projects`.
public struct ProjectList: FleetOutput, Hashable {
    public var projects: [Project]
    public var totalCount: Int

    public static let schema = JSONSchema.object(
        ["projects": .array(Project.schema, "Projects"), "total_count": .integer("Number of projects")],
        required: ["projects", "total_count"])
}

/// The answer of `list_agent_roles`.
public struct RoleList: FleetOutput, Hashable {
    public var project: String
    public var roles: [Role]
    public var defaultRole: String?
    public var totalCount: Int

    public static let schema = JSONSchema.object(
        [
            "project": .string("Project name"), "roles": .array(Role.schema, "Roles"),
            "default_role": .string("Role used when create_agent names none"), "total_count": .integer("Number of roles"),
        ], required: ["project", "roles", "total_count"])
}
