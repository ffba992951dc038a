import Foundation
import SQLKit
import Storage

/// An event written to the outbox: `payload` is the exact JSON body POSTed to the webhook endpoint,
/// every time it is (re)delivered.
public struct OutboxEvent: Sendable, Equatable, Codable {
    public let id: String
    public let businessID: String
    public let type: String
    public let payload: String
    /// Milliseconds since the Unix epoch.
    public let createdAt: Int64

    public init(id: String, businessID: String, type: String, payload: String, createdAt: Int64) {
        self.id = id
        self.businessID = businessID
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, type, payload
        case businessID = "business_id"
        case createdAt = "created_at"
    }
}

public enum DeliveryStatus: String, Sendable, Codable, Equatable {
    case delivered, failed
}

/// One row of the delivery log: one attempt to deliver one event.
public struct DeliveryAttempt: Sendable, Equatable, Codable {
    public let id: String
    public let eventID: String
    /// 1-based, counted over the event's whole history (redeliveries continue the count).
    public let attempt: Int
    /// The URL posted to; empty when no endpoint was configured.
    public let url: String
    public let status: DeliveryStatus
    /// The HTTP status the endpoint answered with; nil when no response arrived.
    public let responseCode: Int?
    public let latencyMillis: Int64
    public let error: String?
    /// Milliseconds since the Unix epoch.
    public let createdAt: Int64

    public init(id: String, eventID: String, attempt: Int, url: String, status: DeliveryStatus, responseCode: Int?, latencyMillis: Int64, error: String?, createdAt: Int64) {
        self.id = id
        self.eventID = eventID
        self.attempt = attempt
        self.url = url
        self.status = status
        self.responseCode = responseCode
        self.latencyMillis = latencyMillis
        self.error = error
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, attempt, url, status, error
        case eventID = "event_id"
        case responseCode = "response_code"
        case latencyMillis = "latency_ms"
        case createdAt = "created_at"
    }
}

/// The transactional outbox for webhook events: `publish` writes the event and its delivery job in
/// the caller's transaction, so an event exists exactly when the state change that caused it
/// committed. `WebhookDeliveryService` sends it afterwards.
public struct Outbox: Sendable {
    public static let queue = "webhooks"

    public let jobs: JobQueue
    public let clock: any AppClock
    /// Stored on each job as its attempt limit; keep it equal to the delivery service's schedule.
    public let maxAttempts: Int

    public init(jobs: JobQueue, clock: any AppClock, maxAttempts: Int = RetrySchedule.default.maxAttempts) {
        self.jobs = jobs
        self.clock = clock
        self.maxAttempts = maxAttempts
    }

    public static let migrations: [Migration] = [
        Migration(id: "0200_outbox_events", [
            """
            CREATE TABLE outbox_events (
                id TEXT PRIMARY KEY,
                business_id TEXT NOT NULL,
                type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX outbox_events_business ON outbox_events (business_id, created_at, id)",
        ]),
        Migration(id: "0200_webhook_deliveries", [
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL,
                attempt BIGINT NOT NULL,
                url TEXT NOT NULL,
                status TEXT NOT NULL,
                response_code BIGINT,
                latency_ms BIGINT NOT NULL,
                error TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)",
        ]),
    ]

    static func jobID(eventID: String) -> String { "webhook:" + eventID }

    /// Writes an event and enqueues its delivery inside `tx`. The body is the documented envelope
    /// `{"business_id", "created_at", "data", "id", "type"}`, encoded once with sorted keys.
    ///
    /// Publishing an `eventID` that already exists changes nothing and returns the stored event.
    @discardableResult
    public func publish(_ tx: Transaction, businessID: String, type: String, data: some Encodable & Sendable, eventID: String? = nil) async throws -> OutboxEvent {
        let now = clock.nowMillis()
        let id = eventID ?? Identifier.make("evt", clock: clock)
        let envelope = Envelope(id: id, type: type, data: data, createdAt: Timestamp.iso8601(millis: now), businessID: businessID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let payload = String(decoding: try encoder.encode(envelope), as: UTF8.self)
        let inserted = try await tx.sql.raw("""
            INSERT INTO outbox_events (id, business_id, type, payload, created_at)
            VALUES (\(bind: id), \(bind: businessID), \(bind: type), \(bind: payload), \(bind: now))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """).first()
        guard inserted != nil else {
            guard let existing = try await event(id: id, in: tx.sql) else {
                throw OutboxError.conflict(id)
            }
            return existing
        }
        try await jobs.enqueue(tx, id: Self.jobID(eventID: id), queue: Self.queue, payload: id, maxAttempts: maxAttempts)
        return OutboxEvent(id: id, businessID: businessID, type: type, payload: payload, createdAt: now)
    }

    /// A business's events, newest first. `startingAfter` is the id of the last event of the
    /// previous page.
    public func events(businessID: String, limit: Int = 50, startingAfter: String? = nil, in db: any SQLDatabase) async throws -> [OutboxEvent] {
        let limit = max(1, min(limit, 500))
        let rows: [any SQLRow]
        if let cursorID = startingAfter {
            guard let cursor = try await event(id: cursorID, in: db), cursor.businessID == businessID else { return [] }
            rows = try await db.raw("""
                SELECT id, business_id, type, payload, created_at FROM outbox_events
                WHERE business_id = \(bind: businessID)
                  AND (created_at < \(bind: cursor.createdAt) OR (created_at = \(bind: cursor.createdAt) AND id < \(bind: cursor.id)))
                ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """).all()
        } else {
            rows = try await db.raw("""
                SELECT id, business_id, type, payload, created_at FROM outbox_events
                WHERE business_id = \(bind: businessID)
                ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """).all()
        }
        return try rows.map(Self.decodeEvent)
    }

    public func event(id: String, in db: any SQLDatabase) async throws -> OutboxEvent? {
        try await db.raw("SELECT id, business_id, type, payload, created_at FROM outbox_events WHERE id = \(bind: id)")
            .first().map(Self.decodeEvent)
    }

    /// The delivery log of one event, oldest attempt first.
    public func deliveries(eventID: String, in db: any SQLDatabase) async throws -> [DeliveryAttempt] {
        try await db.raw("""
            SELECT id, event_id, attempt, url, status, response_code, latency_ms, error, created_at
            FROM webhook_deliveries WHERE event_id = \(bind: eventID) ORDER BY attempt, created_at, id
            """).all().map(Self.decodeDelivery)
    }

    /// Sends an event again, now, with a fresh set of attempts: same id, same body. Returns false
    /// when the event does not exist.
    public func redeliver(eventID: String, in db: Database) async throws -> Bool {
        try await db.write { tx in
            guard try await tx.sql.raw("SELECT id FROM outbox_events WHERE id = \(bind: eventID)\(unsafeRaw: tx.lockClause)").first() != nil else {
                return false
            }
            let jobID = Self.jobID(eventID: eventID)
            if try await !jobs.requeue(tx, id: jobID, resetAttempts: true) {
                try await jobs.enqueue(tx, id: jobID, queue: Self.queue, payload: eventID, maxAttempts: maxAttempts)
            }
            return true
        }
    }

    /// Appends a row to the delivery log, numbering it after the event's previous attempts.
    @discardableResult
    func recordAttempt(_ tx: Transaction, eventID: String, url: String, status: DeliveryStatus, responseCode: Int?, latencyMillis: Int64, error: String?) async throws -> DeliveryAttempt {
        let now = clock.nowMillis()
        let previous = try await tx.sql.raw("SELECT COALESCE(MAX(attempt), 0) AS n FROM webhook_deliveries WHERE event_id = \(bind: eventID)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let attempt = DeliveryAttempt(
            id: Identifier.make("whd", clock: clock), eventID: eventID, attempt: previous + 1, url: url, status: status,
            responseCode: responseCode, latencyMillis: latencyMillis, error: error.map { String($0.prefix(1000)) }, createdAt: now
        )
        try await tx.sql.raw("""
            INSERT INTO webhook_deliveries (id, event_id, attempt, url, status, response_code, latency_ms, error, created_at)
            VALUES (\(bind: attempt.id), \(bind: eventID), \(bind: attempt.attempt), \(bind: url), \(bind: status.rawValue),
                    \(bind: responseCode), \(bind: latencyMillis), \(bind: attempt.error), \(bind: now))
            """).run()
        return attempt
    }

    static func decodeEvent(_ row: any SQLRow) throws -> OutboxEvent {
        OutboxEvent(
            id: try row.decode(column: "id", as: String.self),
            businessID: try row.decode(column: "business_id", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }

    static func decodeDelivery(_ row: any SQLRow) throws -> DeliveryAttempt {
        let status = try row.decode(column: "status", as: String.self)
        return DeliveryAttempt(
            id: try row.decode(column: "id", as: String.self),
            eventID: try row.decode(column: "event_id", as: String.self),
            attempt: try row.decode(column: "attempt", as: Int.self),
            url: try row.decode(column: "url", as: String.self),
            status: DeliveryStatus(rawValue: status) ?? .failed,
            responseCode: try row.decode(column: "response_code", as: Int?.self),
            latencyMillis: try row.decode(column: "latency_ms", as: Int64.self),
            error: try row.decode(column: "error", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}

public enum OutboxError: Error, Sendable, CustomStringConvertible {
    /// The event id is taken, but the event cannot be read back.
    case conflict(String)

    public var description: String {
        switch self {
        case .conflict(let id): return "event id \(id) conflicts with an existing row"
        }
    }
}

/// The documented webhook body.
struct Envelope<Payload: Encodable>: Encodable {
    let id: String
    let type: String
    let data: Payload
    let createdAt: String
    let businessID: String

    enum CodingKeys: String, CodingKey {
        case id, type, data
        case createdAt = "created_at"
        case businessID = "business_id"
    }
}
