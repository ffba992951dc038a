import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SQLKit
import Storage

/// `Idempotency-Key` with Stripe's semantics: the first answer to a key is saved and replayed for
/// 24 hours; the same key with a different request is a 400; a duplicate that arrives while the first
/// is still running waits for it (or gets a 409 after `waitSeconds`) and never runs twice.
public struct IdempotencyMiddleware: RouterMiddleware {
    public typealias Context = RailyardRequestContext
    let db: Database
    let clock: any AppClock
    let retentionSeconds: Int64
    let waitSeconds: Int64
    /// A run that has held a key this long is presumed dead (its node crashed) and may be taken over.
    let abandonAfterSeconds: Int64

    public init(db: Database, clock: any AppClock, retentionSeconds: Int64 = 86_400, waitSeconds: Int64 = 15, abandonAfterSeconds: Int64 = 120) {
        self.db = db
        self.clock = clock
        self.retentionSeconds = retentionSeconds
        self.waitSeconds = waitSeconds
        self.abandonAfterSeconds = abandonAfterSeconds
    }

    public static let migrations: [Migration] = [
        Migration(id: "0010_idempotency_keys", [
            """
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                idem_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                state TEXT NOT NULL,
                status_code BIGINT,
                content_type TEXT,
                body TEXT,
                locked_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (scope, idem_key)
            )
            """,
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
        ]),
    ]

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers.value(of: .idempotencyKey) else { return try await next(request, context) }
        guard !key.isEmpty, key.utf8.count <= 255 else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters", code: "invalid_idempotency_key", field: "Idempotency-Key")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: context.maxUploadSize) } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "Request body exceeds \(context.maxUploadSize) bytes")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.description)\n".utf8))
        hasher.update(data: Data(buffer: body))
        let fingerprint = Array(hasher.finalize()).lowercaseHex
        let scope = context.principal?.scope ?? "ip:\(context.clientIP)"

        let deadline = clock.nowMillis() + waitSeconds * 1000
        while true {
            switch try await claim(scope: scope, key: key, fingerprint: fingerprint) {
            case .replay(let status, let contentType, let text):
                var headers: HTTPFields = [.idempotentReplayed: "true"]
                headers[.contentType] = contentType
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            case .mismatch:
                throw APIError.badRequest("Idempotency-Key was already used with a different request", code: "idempotency_key_reused", field: "Idempotency-Key")
            case .busy:
                guard clock.nowMillis() < deadline else {
                    throw APIError.conflict("A request with this Idempotency-Key is still in progress; retry later", code: "idempotency_key_in_use")
                }
                try await Task.sleep(for: .milliseconds(25))
            case .claimed:
                var replayable = request
                replayable.body = .init(buffer: body)
                let response: Response
                do {
                    response = try await next(replayable, context)
                } catch let error as APIError where error.status.code < 500 {
                    try await save(scope: scope, key: key, status: Int(error.status.code), contentType: "application/json; charset=utf-8",
                                   body: String(buffer: error.body(allocator: ByteBufferAllocator())!))
                    throw error
                } catch {
                    // A failure we can't vouch for: forget the key so a retry runs again (its transaction rolled back).
                    try? await release(scope: scope, key: key)
                    throw error
                }
                if response.status.code >= 500 {
                    try? await release(scope: scope, key: key)
                    return response
                }
                let collector = BodyCollector()
                try await response.body.write(collector)
                let text = String(buffer: collector.buffer)
                try await save(scope: scope, key: key, status: Int(response.status.code), contentType: response.headers[.contentType] ?? "application/json", body: text)
                var final = response
                final.body = .init(byteBuffer: collector.buffer)
                return final
            }
        }
    }

    enum Claim { case claimed, busy, mismatch, replay(Int, String, String) }

    func claim(scope: String, key: String, fingerprint: String) async throws -> Claim {
        let now = clock.nowMillis()
        let retention = retentionSeconds * 1000
        let abandon = abandonAfterSeconds * 1000
        return try await db.write { tx in
            let inserted = try await tx.sql.raw("""
                INSERT INTO idempotency_keys (scope, idem_key, fingerprint, state, locked_at, created_at)
                VALUES (\(bind: scope), \(bind: key), \(bind: fingerprint), 'running', \(bind: now), \(bind: now))
                ON CONFLICT (scope, idem_key) DO NOTHING RETURNING scope
                """).first()
            if inserted != nil { return .claimed }
            guard let row = try await tx.sql.raw("""
                SELECT fingerprint, state, status_code, content_type, body, locked_at, created_at FROM idempotency_keys
                WHERE scope = \(bind: scope) AND idem_key = \(bind: key)\(unsafeRaw: tx.lockClause)
                """).first() else { return .busy }
            let createdAt = try row.decode(column: "created_at", as: Int64.self)
            let state = try row.decode(column: "state", as: String.self)
            let lockedAt = try row.decode(column: "locked_at", as: Int64.self)
            // An expired key, or a run abandoned by a dead node, starts over.
            if now - createdAt >= retention || (state == "running" && now - lockedAt >= abandon) {
                try await tx.sql.raw("""
                    UPDATE idempotency_keys SET fingerprint = \(bind: fingerprint), state = 'running', status_code = NULL, content_type = NULL,
                        body = NULL, locked_at = \(bind: now), created_at = \(bind: now)
                    WHERE scope = \(bind: scope) AND idem_key = \(bind: key)
                    """).run()
                return .claimed
            }
            if try row.decode(column: "fingerprint", as: String.self) != fingerprint { return .mismatch }
            if state == "running" { return .busy }
            return .replay(
                try row.decode(column: "status_code", as: Int.self),
                try row.decode(column: "content_type", as: String?.self) ?? "application/json",
                try row.decode(column: "body", as: String?.self) ?? ""
            )
        }
    }

    func save(scope: String, key: String, status: Int, contentType: String, body: String) async throws {
        try await db.write { tx in
            try await tx.sql.raw("""
                UPDATE idempotency_keys SET state = 'done', status_code = \(bind: status), content_type = \(bind: contentType), body = \(bind: body)
                WHERE scope = \(bind: scope) AND idem_key = \(bind: key)
                """).run()
        }
    }

    func release(scope: String, key: String) async throws {
        try await db.write { tx in
            try await tx.sql.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND idem_key = \(bind: key) AND state = 'running'").run()
        }
    }
}

/// Collects a response body so it can be stored and replayed.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
