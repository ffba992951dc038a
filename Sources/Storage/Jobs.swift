import SQLKit

/// A unit of background work, leased by one worker at a time.
public struct Job: Sendable, Equatable {
    public let id: String
    public let queue: String
    public let payload: String
    /// Attempts started so far, including the current one.
    public let attempts: Int
    public let maxAttempts: Int
    public let leaseOwner: String
    public let leaseUntil: Int64
}

/// The job table: work written in the same transaction as the decision that needs it, executed by
/// leased workers. A lease that expires (the worker died) makes the job available again.
public struct JobQueue: Sendable {
    public let clock: any AppClock

    public init(clock: any AppClock) { self.clock = clock }

    public static let migrations: [Migration] = [
        Migration(id: "0001_jobs", [
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                queue TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                run_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                max_attempts BIGINT NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX jobs_ready ON jobs (queue, status, run_at)",
        ]),
    ]

    /// Adds a job inside the caller's transaction. A job id that already exists is left as it is,
    /// so enqueueing is idempotent.
    public func enqueue(_ tx: Transaction, id: String, queue: String, payload: String, runAt: Int64? = nil, maxAttempts: Int = 25) async throws {
        let now = clock.nowMillis()
        try await tx.sql.raw("""
            INSERT INTO jobs (id, queue, payload, status, run_at, attempts, max_attempts, created_at, updated_at)
            VALUES (\(bind: id), \(bind: queue), \(bind: payload), 'queued', \(bind: runAt ?? now), 0, \(bind: maxAttempts), \(bind: now), \(bind: now))
            ON CONFLICT (id) DO NOTHING
            """).run()
    }

    /// Leases up to `limit` due jobs of `queue` for `leaseSeconds`. Several nodes may call this at
    /// once: PostgreSQL's SKIP LOCKED (or SQLite's single writer) hands each job to one of them.
    public func lease(_ db: Database, queue: String, owner: String, limit: Int = 10, leaseSeconds: Int64 = 60) async throws -> [Job] {
        let now = clock.nowMillis()
        let until = now + leaseSeconds * 1000
        return try await db.write { tx in
            let rows = try await tx.sql.raw("""
                SELECT id FROM jobs
                WHERE queue = \(bind: queue)
                  AND ((status = 'queued' AND run_at <= \(bind: now)) OR (status = 'running' AND lease_until <= \(bind: now)))
                ORDER BY run_at, id LIMIT \(literal: max(1, min(limit, 500)))\(unsafeRaw: tx.skipLockedClause)
                """).all()
            var jobs: [Job] = []
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                let updated = try await tx.sql.raw("""
                    UPDATE jobs SET status = 'running', lease_owner = \(bind: owner), lease_until = \(bind: until),
                        attempts = attempts + 1, updated_at = \(bind: now)
                    WHERE id = \(bind: id)
                    RETURNING id, queue, payload, attempts, max_attempts
                    """).first()
                guard let updated else { continue }
                jobs.append(Job(
                    id: id,
                    queue: try updated.decode(column: "queue", as: String.self),
                    payload: try updated.decode(column: "payload", as: String.self),
                    attempts: try updated.decode(column: "attempts", as: Int.self),
                    maxAttempts: try updated.decode(column: "max_attempts", as: Int.self),
                    leaseOwner: owner, leaseUntil: until
                ))
            }
            return jobs
        }
    }

    /// Marks a leased job done. Returns false if this worker no longer holds the lease.
    @discardableResult
    public func complete(_ db: Database, _ job: Job) async throws -> Bool {
        let now = clock.nowMillis()
        return try await db.write { tx in
            try await tx.sql.raw("""
                UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = \(bind: now)
                WHERE id = \(bind: job.id) AND lease_owner = \(bind: job.leaseOwner) AND status = 'running'
                RETURNING id
                """).first() != nil
        }
    }

    /// Records a failed attempt: the job runs again at `retryAt`, or is dead when `retryAt` is nil or
    /// its attempts are used up. Returns the new status.
    @discardableResult
    public func fail(_ db: Database, _ job: Job, error: String, retryAt: Int64?) async throws -> String {
        let now = clock.nowMillis()
        let status = (retryAt == nil || job.attempts >= job.maxAttempts) ? "dead" : "queued"
        try await db.write { tx in
            try await tx.sql.raw("""
                UPDATE jobs SET status = \(bind: status), run_at = \(bind: retryAt ?? now), lease_owner = NULL, lease_until = NULL,
                    last_error = \(bind: String(error.prefix(1000))), updated_at = \(bind: now)
                WHERE id = \(bind: job.id) AND lease_owner = \(bind: job.leaseOwner)
                """).run()
        }
        return status
    }

    /// Puts a job back in the queue to run now (redelivery), whatever its state.
    public func requeue(_ tx: Transaction, id: String, resetAttempts: Bool) async throws -> Bool {
        let now = clock.nowMillis()
        let reset = resetAttempts ? ", attempts = 0" : ""
        return try await tx.sql.raw("""
            UPDATE jobs SET status = 'queued', run_at = \(bind: now), lease_owner = NULL, lease_until = NULL\(unsafeRaw: reset),
                updated_at = \(bind: now)
            WHERE id = \(bind: id) RETURNING id
            """).first() != nil
    }
}
