import CoderAPI
import Foundation

/// Projects (AI-task templates, by the deployment's rule) and roles (presets of their active version).
extension FleetService {
    /// The templates that are projects: on 2.29+ those Coder lists as AI-task templates, before (and without a
    /// tasks API) those whose active version has the prompt parameter. Templates whose version cannot be read are
    /// skipped.
    public func listProjects() async throws -> ProjectList {
        let rule = await projectRule()
        let templates: [Template]
        do { templates = rule == .aiTaskTemplate ? try await aiTaskTemplates() : try await coder.templates() } catch {
            throw FleetError.coder(error, doing: "list templates")
        }
        var projects: [Project] = []
        for template in templates where !(template.deleted ?? false) {
            do {
                if rule == .promptParameter { guard try await declaresPrompt(template.activeVersionID) else { continue } }
                var roles: [Preset] = []
                do { roles = try await presets(ofVersion: template.activeVersionID) } catch {
                    logger.warning("cannot read the roles of \(template.name): \(error)")
                }
                projects.append(project(template, roles: roles))
            } catch {
                logger.warning("skipping template \(template.name): \(error)")
            }
        }
        projects.sort { $0.name < $1.name }
        return ProjectList(projects: projects, totalCount: projects.count)
    }

    func project(_ template: Template, roles: [Preset]) -> Project {
        Project(
            name: template.name, displayName: template.displayName.isEmpty ? template.name : template.displayName,
            description: template.description, templateID: template.id, activeVersionID: template.activeVersionID,
            organization: template.organizationName, defaultRole: roles.first { $0.isDefault }?.name,
            roles: roles.map(\.name))
    }

    /// Finds a project by template name or display name, case-insensitively.
    func resolveProject(_ name: String) async throws -> Template {
        let wanted = name.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else {
            throw FleetError(.invalidArgument, "Project is empty. Call list_agent_projects to see the projects.")
        }
        let rule = await projectRule()
        let templates: [Template]
        let aiTask: Set<String>
        do {
            templates = try await coder.templates()
            aiTask = rule == .aiTaskTemplate ? Set(try await aiTaskTemplates().map(\.id)) : []
        } catch { throw FleetError.coder(error, doing: "list templates") }
        func isProject(_ template: Template) async -> Bool {
            switch rule {
            case .aiTaskTemplate: aiTask.contains(template.id)
            case .promptParameter: (try? await declaresPrompt(template.activeVersionID)) == true
            }
        }
        let match =
            templates.first { $0.name.caseInsensitiveCompare(wanted) == .orderedSame }
            ?? templates.first { !$0.displayName.isEmpty && $0.displayName.caseInsensitiveCompare(wanted) == .orderedSame }
        if let match, await isProject(match) { return match }
        // Only on the error path: which templates are projects, to suggest one.
        var projectNames: [String] = []
        for template in templates where await isProject(template) { projectNames.append(template.name) }
        guard let match else {
            throw FleetError(
                .notFound,
                "Project '\(Echo.cap(wanted))' does not exist." + Suggestions.phrase(Suggestions.closest(to: wanted, among: projectNames))
                    + " Projects: \(projectNames.joined(separator: ", ")). Call list_agent_projects for details.")
        }
        let why =
            rule == .aiTaskTemplate
            ? "Coder does not list it as an AI-task template (its active version has no coder_ai_task resource)"
            : "its active version has no '\(configuration.promptParameter)' parameter"
        throw FleetError(
            .invalidArgument, "Template '\(match.name)' is not a fleet project: \(why). Projects: \(projectNames.joined(separator: ", ")).")
    }

    public func listRoles(project name: String) async throws -> RoleList {
        let template = try await resolveProject(name)
        let list: [Preset]
        do { list = try await presets(ofVersion: template.activeVersionID) } catch {
            throw FleetError.coder(error, doing: "read the presets of \(template.name)")
        }
        let roles = list.map {
            Role(name: $0.name, description: $0.description ?? "", isDefault: $0.isDefault, presetID: $0.id, sets: $0.parameters.map(\.name))
        }
        let project = project(template, roles: list)
        return RoleList(project: project.name, roles: roles, defaultRole: project.defaultRole, totalCount: roles.count)
    }
}
