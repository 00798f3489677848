import ClipnetContracts
import Foundation
public import HTTPTransport
import RedisClient
import Synchronization

/// Asks the running services what they run and whether they are healthy: the API's version and
/// health URLs (HTTP), the worker heartbeats in the environment's Redis (the heartbeat
/// contract, `WorkerHeartbeat` and `WorkerKeyspace`: `clipnet:<env>:workers:<id>` holds JSON with a `version`), and the
/// worker's Cloudinary folder (`ServiceProbes+Cloudinary.swift`).
///
/// Probes never throw: a service that cannot be asked is reported as such, because "I could not
/// ask" is information on-call needs, not a reason to stop a pass.
public final class ServiceProbes: ServiceProbing {
    let client: HTTPClient
    let timeout: Duration
    /// The Cloudinary Admin API base the folder check asks (`CLOUDINARY_API_URL`); nil: the
    /// worker's own base, else Cloudinary's.
    let cloudinaryAPIURL: String?
    /// One connection per Redis URL, opened on first use and dropped after an error.
    private let redis = Mutex<[String: RedisConnection]>([:])

    public init(client: HTTPClient, timeout: Duration = .seconds(5), cloudinaryAPIURL: String? = nil) {
        self.client = client
        self.timeout = timeout
        self.cloudinaryAPIURL = cloudinaryAPIURL
    }

    /// GET `url` and read the revision it reports.
    public func version(at url: String) async -> ProbeResult<String> {
        do {
            let response = try await client.send(HTTPRequest(url: url, timeout: timeout, connectTimeout: timeout))
            guard response.isSuccess else { return .failed("version endpoint answered HTTP \(response.status)") }
            guard let version = VersionReport.revision(in: response.body) else {
                return .failed("version endpoint answered without a revision")
            }
            return .reported(version)
        } catch {
            return .failed("version endpoint unreachable: \(error)")
        }
    }

    /// GET `url`: healthy when it answers 2xx.
    public func health(at url: String) async -> ProbeResult<Int> {
        do {
            let response = try await client.send(HTTPRequest(url: url, timeout: timeout, connectTimeout: timeout))
            return response.isSuccess ? .reported(response.status) : .failed("health URL answered HTTP \(response.status)")
        } catch {
            return .failed("health URL unreachable: \(error)")
        }
    }

    /// The live workers of `environment` and the queue's depth, from Redis.
    public func workers(redisURL: String, environment: String) async -> ProbeResult<WorkerFleet> {
        let keyspace = WorkerKeyspace(environment: environment)
        do {
            let connection = try await connection(to: redisURL)
            do {
                var keys: [String] = []
                var cursor = "0"
                repeat {
                    let reply = try await connection.command(["SCAN", cursor, "MATCH", keyspace.heartbeatPattern, "COUNT", "200"], timeout: timeout)
                    guard let parts = reply.array, parts.count == 2, let next = parts[0].string else { break }
                    keys += parts[1].array?.compactMap(\.string) ?? []
                    cursor = next
                } while cursor != "0" && keys.count < 10_000
                var commands: [[RedisArgument]] = [
                    ["LLEN", RedisArgument(keyspace.queue)], ["ZCARD", RedisArgument(keyspace.dead)],
                ]
                if !keys.isEmpty { commands.append([RedisArgument("MGET")] + keys.map { RedisArgument($0) }) }
                let replies = try await connection.pipeline(commands, timeout: timeout)
                let values = replies.count > 2 ? replies[2].array ?? [] : []
                let workers = zip(keys, values).compactMap { key, value in
                    value.bytes.flatMap { WorkerSighting(key: key, prefix: keyspace.heartbeatPrefix, json: $0) }
                }
                return .reported(
                    WorkerFleet(
                        workers: workers.sorted { $0.id < $1.id }, queueDepth: Int(replies[0].integer ?? 0),
                        deadJobs: Int(replies[1].integer ?? 0)))
            } catch {
                dropConnection(redisURL)
                throw error
            }
        } catch {
            return .failed("Redis unreachable: \(error)")
        }
    }

    private func connection(to url: String) async throws -> RedisConnection {
        if let existing = redis.withLock({ $0[url] }) { return existing }
        let options = RedisConnection.Options(connectTimeout: timeout, commandTimeout: timeout, connectAttempts: 1, clientName: "clipnet-reconciler")
        let connection = try await RedisConnection.connect(to: url, options: options)
        return redis.withLock { cache in
            if let raced = cache[url] { return raced }
            cache[url] = connection
            return connection
        }
    }

    private func dropConnection(_ url: String) {
        _ = redis.withLock { $0.removeValue(forKey: url) }
    }
}

/// What a probe found, or why it found nothing.
public enum ProbeResult<Value: Sendable & Equatable>: Sendable, Equatable {
    case reported(Value)
    case failed(String)

    public var value: Value? {
        if case .reported(let value) = self { return value }
        return nil
    }

    public var failure: String? {
        if case .failed(let message) = self { return message }
        return nil
    }
}

/// One live worker, as its heartbeat describes it.
public struct WorkerSighting: Sendable, Equatable {
    public var id: String
    /// The version tag it was built from (`unknown` when its deploy did not say).
    public var version: String
    public var heartbeatAt: String?
    /// When the worker process started (RFC 3339), which tells a replica of a new deployment from
    /// one of the old deployment still draining.
    public var startedAt: String?
    /// The platform deployment the worker runs in (`RAILWAY_DEPLOYMENT_ID`), when it says.
    public var deploymentId: String?

    init?(key: String, prefix: String, json: [UInt8]) {
        guard let reading = try? JSONDecoder().decode(WorkerHeartbeat.Reading.self, from: Data(json)) else { return nil }
        id = key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
        version = reading.version
        heartbeatAt = reading.heartbeatAt
        startedAt = reading.startedAt
        deploymentId = reading.deploymentId
    }

    public init(id: String, version: String, heartbeatAt: String? = nil, startedAt: String? = nil, deploymentId: String? = nil) {
        self.id = id
        self.version = version
        self.heartbeatAt = heartbeatAt
        self.startedAt = startedAt
        self.deploymentId = deploymentId
    }
}

/// The worker service as Redis sees it.
public struct WorkerFleet: Sendable, Equatable {
    public var workers: [WorkerSighting]
    public var queueDepth: Int
    public var deadJobs: Int

    public init(workers: [WorkerSighting], queueDepth: Int, deadJobs: Int) {
        self.workers = workers
        self.queueDepth = queueDepth
        self.deadJobs = deadJobs
    }

    /// Versions with how many live workers run each, most common first.
    public var versions: [(version: String, count: Int)] {
        Dictionary(grouping: workers, by: \.version).map { ($0.key, $0.value.count) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.version < $1.version }
    }

    /// The heartbeats of the deployment that runs now, and how many were left out: replicas of a
    /// replaced deployment keep beating until the platform stops them (Railway overlaps old and
    /// new), and they are draining, not version skew. A heartbeat that names no deployment (an
    /// older worker) cannot be told apart and stays. All of them when `deployment` is unknown.
    public func replicas(of deployment: String?) -> (current: WorkerFleet, draining: Int) {
        guard let deployment else { return (self, 0) }
        let current = workers.filter { $0.deploymentId == nil || $0.deploymentId == deployment }
        return (WorkerFleet(workers: current, queueDepth: queueDepth, deadJobs: deadJobs), workers.count - current.count)
    }

    public static func == (lhs: WorkerFleet, rhs: WorkerFleet) -> Bool {
        lhs.workers == rhs.workers && lhs.queueDepth == rhs.queueDepth && lhs.deadJobs == rhs.deadJobs
    }
}
