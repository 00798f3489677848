import ClipnetContracts

extension CommitCheck {
    /// Where GitHub's check-run `conclusion` puts it: `success`, `neutral` and `skipped` pass (as
    /// branch protection counts them); every other conclusion fails; no conclusion yet is pending.
    static func checkRun(name: String, status: String?, conclusion: String?, url: String?) -> CommitCheck {
        let state: State
        switch conclusion {
        case nil: state = .pending
        case "success", "neutral", "skipped": state = .success
        default: state = .failure
        }
        return CommitCheck(name: name, state: state, detail: conclusion ?? status ?? "queued", url: url)
    }

    /// A commit status (`context`, `state`): `success` passes, `failure` and `error` fail, `pending` waits.
    static func status(context: String, state raw: String, url: String?) -> CommitCheck {
        let state: State =
            switch raw {
            case "success": .success
            case "failure", "error": .failure
            default: .pending
            }
        return CommitCheck(name: context, state: state, detail: raw, url: url)
    }
}
