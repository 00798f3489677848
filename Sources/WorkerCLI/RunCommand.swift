import ArgumentParser
import ClipnetConfig
import ClipnetContracts
import ClipnetMetrics
import CommandLineSupport
import Foundation
import Logging
import WorkerEngine

/// `clipnet-worker run`: checks isolation, then processes jobs until SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Process jobs until SIGTERM or SIGINT.")

    @Option(help: "Jobs run at once by this process.") var concurrency = 8
    @Option(help: "Port of the /metrics listener (0 for none).") var metricsPort = 9464
    @Option(
        help: ArgumentHelp(
            "Address of the /metrics listener (default: METRICS_HOST, else 127.0.0.1; 0.0.0.0 for a scraper on another host, such as Railway's).",
            valueName: "address"))
    var metricsHost: String?
    @Option(help: "Seconds running jobs get after SIGTERM before they are returned to the queue.") var graceSeconds = 25.0
    @Option(help: "Default attempts per job when the envelope has no maxAttempts.") var maxAttempts = 5
    @Option(help: "First retry delay in milliseconds (doubles each attempt, jittered).") var retryInitialMs = 2000
    @Option(help: "Heartbeat TTL in seconds; a dead worker's jobs return after about this long.") var heartbeatTtlSeconds = 10.0
    @Option(help: "Log level.") var logLevel: Logger.Level = .info
    @Option(help: "Also run a no-op handler for this job type (benchmarks, drills).") var noopType: [String] = []
    @Option(help: "Also run a handler for this job type that kills the worker with SIGKILL (crash drills only).") var crashType: [String] = []
    @Flag(help: "Run only the --noop-type and --crash-type handlers, not the CLIPNET ones (benchmarks, drills).") var noopOnly = false
    @Option(
        help: ArgumentHelp(
            "Run only this CLIPNET job type (repeatable; default: all six). Only the settings of the types run are required.",
            valueName: "type"))
    var jobType: [String] = []

    /// Every number is checked before it becomes a `Duration` or a count (a huge or NaN value
    /// used to trap the conversion).
    func validate() throws {
        let problems = [
            NumericRange.problem(integer: concurrency, flag: "--concurrency", range: 1...1024),
            NumericRange.problem(integer: metricsPort, flag: "--metrics-port", range: 0...65535),
            NumericRange.problem(seconds: graceSeconds, flag: "--grace-seconds", range: 0...3600),
            NumericRange.problem(integer: maxAttempts, flag: "--max-attempts", range: 1...1000),
            NumericRange.problem(integer: retryInitialMs, flag: "--retry-initial-ms", range: 1...3_600_000),
            NumericRange.problem(seconds: heartbeatTtlSeconds, flag: "--heartbeat-ttl-seconds", range: 1...3600),
        ].compactMap { $0 }
        if let first = problems.first { throw ValidationError(first) }
        if noopOnly && !jobType.isEmpty { throw ValidationError("--job-type and --noop-only exclude each other") }
        for type in jobType where !StandardHandlers.jobTypes.contains(type) {
            let hint = EditDistance.nearest(to: type, among: StandardHandlers.jobTypes).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError(
                "--job-type '\(type)' is not a CLIPNET job type\(hint) (they are \(StandardHandlers.jobTypes.joined(separator: ", ")))")
        }
    }

    /// The CLIPNET job types this worker runs.
    var standardTypes: [String] {
        noopOnly ? [] : jobType.isEmpty ? StandardHandlers.jobTypes : StandardHandlers.jobTypes.filter(jobType.contains)
    }

    func run() async throws {
        let logger = LoggingSetup.bootstrap(level: logLevel)
        let environment = ProcessInfo.processInfo.environment
        let settings: WorkerSettings
        do {
            settings = try WorkerSettings.fromEnvironment(environment)
            try Worker.checkIsolation(settings, guard: try WorkerIsolationGuard.fromEnvironment(environment))
        } catch {
            throw Self.refuse(error, status: WorkerExit.usage, logger: logger)
        }
        let metrics = WorkerMetrics(registry: ClipnetMetrics.bootstrap())
        var handlers: [any JobHandler] = noopType.map { NoopHandler(jobType: $0) } + crashType.map { CrashHandler(jobType: $0) }
        let types = standardTypes
        if !types.isEmpty {
            // The settings come first (every required one of the types run, from the variables
            // alone: exit 2), then the pipeline's start-up checks that connect (the results schema
            // is migrated, the Cloudinary folder exists: exit 1).
            let context: HandlerContext
            do {
                context = try HandlerContext.fromEnvironment(environment, settings: settings, metrics: metrics, logger: logger)
                if let missing = context.missingSettings(jobTypes: types) { throw missing }
            } catch {
                throw Self.refuse(error, status: WorkerExit.usage, logger: logger)
            }
            do {
                try await context.prepare(logger: logger, jobTypes: types)
            } catch {
                throw Self.refuse(error, status: WorkerExit.failure, logger: logger)
            }
            handlers += StandardHandlers.make(context: context).filter { types.contains($0.jobType) }
        }
        let options = WorkerOptions(
            settings: settings,
            version: WorkerHeartbeat.version(from: environment),
            processor: ProcessorConfiguration(
                concurrency: concurrency, gracePeriod: NumericRange.duration(seconds: graceSeconds),
                retry: RetryPolicy(defaultMaxAttempts: maxAttempts, initialDelay: .milliseconds(retryInitialMs))),
            metricsPort: metricsPort == 0 ? nil : metricsPort,
            metricsHost: Self.resolvedMetricsHost(option: metricsHost, environment: environment),
            heartbeatInterval: NumericRange.duration(seconds: heartbeatTtlSeconds / 4),
            heartbeatTTL: NumericRange.duration(seconds: heartbeatTtlSeconds))
        let worker = Worker(options: options, registry: JobRegistry(handlers), metrics: metrics, logger: logger)
        try await worker.run()
    }

    /// `--metrics-host`, else `METRICS_HOST`, else loopback.
    static func resolvedMetricsHost(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let variable = environment["METRICS_HOST"], !variable.isEmpty { return variable }
        return "127.0.0.1"
    }

    /// Logs and prints why the worker does not start; the exit status to throw.
    static func refuse(_ error: any Error, status: Int32, logger: Logger) -> ExitCode {
        logger.critical("Refusing to start", metadata: ["error": "\(message(of: error))"])
        return WorkerExit.fail("refusing to start: \(message(of: error))", status: status)
    }

    static func message(of error: any Error) -> String {
        if let error = error as? QueueError { return error.message }
        if let error = error as? ConfigError { return "\(error)" }
        if let error = error as? JobFailure { return error.message }
        return "\(error)"
    }
}
