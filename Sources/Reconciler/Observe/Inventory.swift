import ClipnetConfig
import ClipnetContracts
import Foundation

/// The environment's resources the reconciler does not deploy but the services need, checked
/// on full observations and shown in status. Information only: nothing here blocks a rollout or
/// changes the verdict.
enum Inventory {
    static let cloudinaryFolderName = "cloudinary folder"

    /// The worker's Cloudinary folder, from the worker's resolved variables (`CLOUDINARY_URL`,
    /// `CLOUDINARY_FOLDER`: what the worker itself checks at start-up). Not configured when the
    /// worker names no account or no folder; unknown when its account variables are malformed.
    static func cloudinaryFolder(
        _ preflight: ConfigurationPreflight.Result, probes: any ServiceProbing, now: @Sendable () -> Date
    ) async -> StatusDocument.InventoryItem {
        let variables = preflight.resolved.variables(of: .worker)
        let folder = variables[WorkerSettings.Variable.cloudinaryFolder]
        // A folder given as a secret is not shown; a plain one prints as itself.
        let target = folder.map(\.description)
        func item(_ state: StatusDocument.InventoryItem.State, _ detail: String) -> StatusDocument.InventoryItem {
            StatusDocument.InventoryItem(name: cloudinaryFolderName, target: target, state: state, detail: detail, checkedAt: now())
        }
        // Only the account's variables are revealed, and only to the parser.
        let accountVariables = variables.filter { $0.key.hasPrefix("CLOUDINARY_") }.mapValues { $0.reveal() }
        let account: CloudinaryAccount?
        do {
            account = try CloudinaryAccount.fromEnvironment(accountVariables)
        } catch {
            return item(.unknown, error.message)
        }
        guard let account else { return item(.notConfigured, "the worker's variables name no Cloudinary account (CLOUDINARY_URL)") }
        guard let folder, !folder.reveal().isEmpty else {
            return item(.notConfigured, "the worker's variables name no folder (\(WorkerSettings.Variable.cloudinaryFolder))")
        }
        switch await probes.cloudinaryFolder(folder.reveal(), account: account) {
        case .reported(.exists):
            return item(.exists, "exists in cloud \(account.cloudName)")
        case .reported(.missing):
            return item(.missing, "not in cloud \(account.cloudName) (Admin API answered 404): the worker refuses to start until it is created")
        case .failed(let message):
            return item(.unknown, message)
        }
    }
}
