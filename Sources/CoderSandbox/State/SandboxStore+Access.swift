import CoderAPI

/// Coder's RBAC as far as fleets need it: an `owner` (admin) reaches every workspace and task; a member only their
/// own. Reading another member's resource answers 404, as Coder does (`httpapi.ResourceNotFound`), so its
/// existence is not disclosed; acting for another user answers 403.
extension SandboxStore {
    func isAdmin(_ user: User) -> Bool { (user.roles ?? []).contains { $0.name == "owner" } }

    func canAccess(ownerID: String, caller: User) -> Bool { ownerID == caller.id || isAdmin(caller) }

    /// A workspace by id that the caller may see (404 otherwise).
    func workspace(id: String, includeDeleted: Bool = false, caller: User) throws -> WorkspaceRecord {
        let workspace = try self.workspace(id: id, includeDeleted: includeDeleted)
        guard canAccess(ownerID: workspace.ownerID, caller: caller) else { throw SandboxError.notFound }
        return workspace
    }

    /// A build by id, with its workspace, that the caller may see (404 otherwise).
    func build(id: String, caller: User) throws -> (WorkspaceRecord, BuildRecord) {
        let found = try build(id: id)
        guard canAccess(ownerID: found.0.ownerID, caller: caller) else { throw SandboxError.notFound }
        return found
    }

    /// 403 when a member acts for someone else (creating a workspace or task in their name).
    func requireActing(for owner: User, caller: User) throws {
        guard canAccess(ownerID: owner.id, caller: caller) else { throw SandboxError(403, "Forbidden.") }
    }
}
