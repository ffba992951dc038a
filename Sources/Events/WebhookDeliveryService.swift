import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage

/// Delivers outbox events: leases jobs from the "webhooks" queue, POSTs each event's stored body,
/// signed, to the business's endpoint, logs every attempt, and retries failures on `schedule`.
///
/// Delivery is at least once: a receiver must deduplicate on the event id.
public struct WebhookDeliveryService: Service {
    public static let userAgent = "CoinPay-Webhook/1.0"
    public static let requestTimeout: TimeAmount = .seconds(10)
    /// How many jobs one pass leases (and delivers concurrently).
    public static let batchSize = 16
    /// Longer than the request timeout, so a live worker keeps its lease while it waits.
    public static let leaseSeconds: Int64 = 60

    let db: Database
    let jobs: JobQueue
    let directory: any WebhookEndpointDirectory
    let httpClient: HTTPClient
    let clock: any AppClock
    let schedule: RetrySchedule
    let logger: Logger
    let owner: String
    let pollInterval: Duration
    /// Signalled after events are committed, so they go out without waiting for the next poll.
    let wakeup: Wakeup
    let outbox: Outbox
    let destinations: WebhookDestinationPolicy

    public init(
        db: Database, jobs: JobQueue, directory: any WebhookEndpointDirectory, httpClient: HTTPClient, clock: any AppClock,
        schedule: RetrySchedule, logger: Logger, owner: String, pollInterval: Duration = .milliseconds(500),
        destinations: WebhookDestinationPolicy = .publicOnly, wakeup: Wakeup = Wakeup()
    ) {
        self.wakeup = wakeup
        self.destinations = destinations
        self.db = db
        self.jobs = jobs
        self.directory = directory
        self.httpClient = httpClient
        self.clock = clock
        self.schedule = schedule
        self.logger = logger
        self.owner = owner
        self.pollInterval = pollInterval
        self.outbox = Outbox(jobs: jobs, clock: clock, maxAttempts: schedule.maxAttempts)
    }

    /// Polls until graceful shutdown or cancellation. Deliveries in flight when a graceful shutdown
    /// starts are finished; only the idle sleep is interrupted. Database errors are logged and the
    /// loop carries on after a pause.
    public func run() async throws {
        logger.info("webhook delivery started", metadata: ["owner": "\(owner)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var made = 0
            do {
                made = try await deliverDue()
            } catch {
                logger.error("webhook delivery pass failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if made == 0 {
                do {
                    try await cancelWhenGracefulShutdown { [pollInterval, wakeup] in try await wakeup.wait(upTo: pollInterval) }
                } catch {
                    // Cancelled or shutting down; the loop condition decides.
                }
            }
        }
        logger.info("webhook delivery stopped", metadata: ["owner": "\(owner)"])
    }

    /// One pass: leases the jobs that are due, delivers them concurrently, and returns how many
    /// attempts it made. Throws only when leasing fails; a job whose bookkeeping fails is logged and
    /// picked up again once its lease expires.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let leased = try await jobs.lease(db, queue: Outbox.queue, owner: owner, limit: Self.batchSize, leaseSeconds: Self.leaseSeconds)
        guard !leased.isEmpty else { return 0 }
        return await withTaskGroup(of: Bool.self) { group in
            for job in leased {
                group.addTask {
                    do {
                        return try await self.deliver(job)
                    } catch {
                        // The job keeps its lease and runs again when the lease expires.
                        self.logger.error("webhook job failed", metadata: ["job_id": "\(job.id)", "error": "\(String(reflecting: error))"])
                        return false
                    }
                }
            }
            var attempts = 0
            for await attempted in group where attempted { attempts += 1 }
            return attempts
        }
    }

    /// Handles one leased job. Returns whether an attempt was made (and logged).
    func deliver(_ job: Job) async throws -> Bool {
        let eventID = job.payload
        guard let event = try await db.read({ try await outbox.event(id: eventID, in: $0) }) else {
            logger.warning("webhook job for a missing event", metadata: ["event_id": "\(eventID)"])
            try await jobs.complete(db, job)
            return false
        }
        let endpoint: WebhookEndpoint?
        do {
            endpoint = try await directory.webhookEndpoint(businessID: event.businessID)
        } catch {
            try await failed(job, event: event, url: "", responseCode: nil, latency: 0, error: "endpoint lookup failed: \(error)")
            return true
        }
        guard let endpoint, !endpoint.url.isEmpty else {
            try await db.write { tx in
                _ = try await outbox.recordAttempt(tx, eventID: event.id, url: "", status: .failed, responseCode: nil, latencyMillis: 0, error: "no endpoint configured")
            }
            try await jobs.complete(db, job)
            return true
        }

        do {
            try await destinations.check(endpoint.url)
        } catch {
            // A refused destination won't become acceptable by retrying: log it and stop.
            try await db.write { tx in
                _ = try await outbox.recordAttempt(tx, eventID: event.id, url: endpoint.url, status: .failed, responseCode: nil, latencyMillis: 0,
                                                   error: "destination refused: \(error)")
            }
            _ = try await jobs.fail(db, job, error: "destination refused: \(error)", retryAt: nil)
            return true
        }

        let body = Array(event.payload.utf8)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: WebhookSignature.headerName, value: WebhookSignature.header(
            secret: endpoint.secret, timestamp: clock.nowMillis() / 1000, body: body
        ))
        request.body = .bytes(ByteBuffer(bytes: body))

        let started = ContinuousClock.now
        let (responseCode, failure) = await post(request)
        let latency = Self.millis(ContinuousClock.now - started)

        if let failure {
            try await failed(job, event: event, url: endpoint.url, responseCode: responseCode, latency: latency, error: failure)
        } else {
            try await db.write { tx in
                _ = try await outbox.recordAttempt(tx, eventID: event.id, url: endpoint.url, status: .delivered, responseCode: responseCode, latencyMillis: latency, error: nil)
            }
            try await jobs.complete(db, job)
            logger.debug("webhook delivered", metadata: ["event_id": "\(event.id)", "status": "\(responseCode ?? 0)"])
        }
        return true
    }

    /// Sends one request. Returns the response status (nil when none arrived) and, unless the
    /// endpoint answered 2xx, what went wrong.
    private func post(_ request: HTTPClientRequest) async -> (code: Int?, failure: String?) {
        do {
            let response = try await httpClient.execute(request, timeout: Self.requestTimeout, logger: logger)
            let code = Int(response.status.code)
            // Read (a little of) the body so the connection can be reused; keep a snippet for the log.
            let snippet = try? await response.body.collect(upTo: 4096)
            guard (200..<300).contains(code) else {
                let text = snippet.map { String(String(buffer: $0).prefix(200)) } ?? ""
                return (code, "HTTP \(code)" + (text.isEmpty ? "" : ": \(text)"))
            }
            return (code, nil)
        } catch {
            return (nil, Self.describe(error))
        }
    }

    private func failed(_ job: Job, event: OutboxEvent, url: String, responseCode: Int?, latency: Int64, error: String) async throws {
        try await db.write { tx in
            _ = try await outbox.recordAttempt(tx, eventID: event.id, url: url, status: .failed, responseCode: responseCode, latencyMillis: latency, error: error)
        }
        let retryAt = schedule.retryAt(afterAttempt: job.attempts, nowMillis: clock.nowMillis())
        let status = try await jobs.fail(db, job, error: error, retryAt: retryAt)
        let metadata: Logger.Metadata = ["event_id": "\(event.id)", "attempt": "\(job.attempts)", "error": "\(error)"]
        if status == "dead" {
            logger.error("webhook delivery gave up", metadata: metadata)
        } else {
            logger.notice("webhook delivery failed, will retry", metadata: metadata)
        }
    }

    static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "connection closed by the endpoint"
            default: return "\(error)"
            }
        }
        return String(describing: error)
    }
}
