import AsyncHTTPClient
import Events
import Foundation
import Logging
import SQLKit
import Synchronization
import Storage
import Testing
import TestSupport

struct PaymentData: Codable, Sendable, Equatable {
    var payment_id: String
    var status: String
    var amount_usd: String
    var metadata: [String: String]
}

struct Rollback: Error {}

/// Outbox and webhook delivery on the engine selected by the test script (SQLite, or PostgreSQL
/// when RAILYARD_TEST_DATABASE_URL is set), against a real HTTP receiver on 127.0.0.1.
@Suite("Outbox and webhook delivery")
struct OutboxTests {
    static let migrations = JobQueue.migrations + Outbox.migrations
    static let secret = "whsec_biz1_secret"
    /// The default pauses without jitter, so tests know exactly when the next attempt is due.
    static let steady = RetrySchedule.default.with(random: { 0.5 })

    static let payment = PaymentData(payment_id: "pay_abc123", status: "confirmed", amount_usd: "150.00", metadata: ["order_id": "order_12345"])

    func service(_ db: Database, clock: ManualClock, url: String?, schedule: RetrySchedule = OutboxTests.steady, httpClient: HTTPClient = .shared) -> WebhookDeliveryService {
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let endpoints = url.map { ["biz_1": WebhookEndpoint(url: $0, secret: Self.secret)] } ?? [:]
        return WebhookDeliveryService(
            db: db, jobs: JobQueue(clock: clock), directory: StaticDirectory(endpoints: endpoints), httpClient: httpClient,
            clock: clock, schedule: schedule, logger: logger, owner: "test-worker", destinations: .allowingPrivate  // the receiver is on loopback
        )
    }

    func publish(_ outbox: Outbox, _ db: Database, type: String = "payment.confirmed", eventID: String? = nil) async throws -> OutboxEvent {
        try await db.write { tx in
            try await outbox.publish(tx, businessID: "biz_1", type: type, data: Self.payment, eventID: eventID)
        }
    }

    func job(_ db: Database, eventID: String) async throws -> (status: String, attempts: Int)? {
        try await db.read { sql in
            try await sql.raw("SELECT status, attempts FROM jobs WHERE id = \(bind: "webhook:" + eventID)").first().map {
                (try $0.decode(column: "status", as: String.self), try $0.decode(column: "attempts", as: Int.self))
            }
        }
    }

    func count(_ db: Database, _ table: String) async throws -> Int {
        try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? -1 }
    }

    @Test func migrationIdsAreInTheEventsRange() {
        #expect(Outbox.migrations.map(\.id) == ["0200_outbox_events", "0200_webhook_deliveries"])
    }

    @Test func publishWritesTheDocumentedEnvelopeOnceAndEnqueuesDelivery() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
            let event = try await publish(outbox, db, eventID: "evt_pay_abc123_1767225600")
            #expect(event.payload == #"{"business_id":"biz_1","created_at":"2026-01-01T00:00:00Z","data":{"amount_usd":"150.00","metadata":{"order_id":"order_12345"},"payment_id":"pay_abc123","status":"confirmed"},"id":"evt_pay_abc123_1767225600","type":"payment.confirmed"}"#)
            #expect(try await db.read { try await outbox.event(id: event.id, in: $0) } == event)
            let job = try await job(db, eventID: event.id)
            #expect(job?.status == "queued")
            #expect(job?.attempts == 0)

            // Publishing the same id again is a no-op that returns the stored event.
            clock.advance(seconds: 60)
            let again = try await publish(outbox, db, type: "payment.other", eventID: event.id)
            #expect(again == event)
            #expect(try await count(db, "outbox_events") == 1)
            #expect(try await count(db, "jobs") == 1)

            // Generated ids are evt_<uuidv7>.
            let generated = try await publish(outbox, db)
            #expect(generated.id.hasPrefix("evt_"))
            #expect(generated.id.count == 4 + 36)
            let decoded = try JSONSerialization.jsonObject(with: Data(generated.payload.utf8)) as? [String: Any]
            #expect(decoded?["id"] as? String == generated.id)
            #expect(decoded?["business_id"] as? String == "biz_1")
            #expect(decoded?["created_at"] as? String == "2026-01-01T00:01:00Z")
        }
    }

    @Test func publishInRolledBackTransactionLeavesNoEventAndNoJob() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
            var rolledBack = false
            do {
                try await db.write { tx in
                    _ = try await outbox.publish(tx, businessID: "biz_1", type: "payment.confirmed", data: Self.payment, eventID: "evt_gone")
                    throw Rollback()
                }
            } catch is Rollback {
                rolledBack = true
            }
            #expect(rolledBack)
            #expect(try await db.read { try await outbox.event(id: "evt_gone", in: $0) } == nil)
            #expect(try await db.read { try await outbox.events(businessID: "biz_1", in: $0) }.isEmpty)
            #expect(try await count(db, "outbox_events") == 0)
            #expect(try await count(db, "jobs") == 0)
            #expect(try await service(db, clock: clock, url: "http://127.0.0.1:1/hook").deliverDue() == 0)
        }
    }

    @Test func eventsAreListedNewestFirstWithACursor() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
            var published: [String] = []
            for _ in 0..<5 {
                published.append(try await publish(outbox, db).id)
                clock.advance(seconds: 1)
            }
            let ids = published
            _ = try await db.write { tx in try await outbox.publish(tx, businessID: "biz_2", type: "test.webhook", data: ["x": 1]) }
            let firstPage = try await db.read { try await outbox.events(businessID: "biz_1", limit: 2, in: $0) }
            #expect(firstPage.map(\.id) == [ids[4], ids[3]])
            let secondPage = try await db.read { try await outbox.events(businessID: "biz_1", limit: 2, startingAfter: ids[3], in: $0) }
            #expect(secondPage.map(\.id) == [ids[2], ids[1]])
            let rest = try await db.read { try await outbox.events(businessID: "biz_1", limit: 10, startingAfter: ids[1], in: $0) }
            #expect(rest.map(\.id) == [ids[0]])
            #expect(try await db.read { try await outbox.events(businessID: "biz_2", in: $0) }.count == 1)
            // Another business's event is not a valid cursor.
            #expect(try await db.read { try await outbox.events(businessID: "biz_2", startingAfter: ids[0], in: $0) }.isEmpty)
        }
    }

    @Test func deliveredEventCarriesTheStoredBodySignedWithTheBusinessSecret() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            try await Receiver.with { receiver in
                let clock = ManualClock()
                let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
                let event = try await publish(outbox, db)
                let service = service(db, clock: clock, url: receiver.url)
                #expect(try await service.deliverDue() == 1)
                #expect(try await service.deliverDue() == 0)

                let requests = receiver.requests
                try #require(requests.count == 1)
                let received = requests[0]
                #expect(received.body == Array(event.payload.utf8))
                #expect(received.headers["content-type"] == "application/json")
                #expect(received.headers["user-agent"] == "CoinPay-Webhook/1.0")
                let signature = try #require(received.headers["x-coinpay-signature"])
                #expect(signature.hasPrefix("t=\(clock.nowMillis() / 1000),v1="))
                #expect(WebhookSignature.verify(header: signature, body: received.body, secret: Self.secret, now: clock.nowMillis() / 1000))
                #expect(!WebhookSignature.verify(header: signature, body: received.body, secret: "whsec_wrong", now: clock.nowMillis() / 1000))

                let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
                try #require(log.count == 1)
                #expect(log[0].attempt == 1)
                #expect(log[0].status == .delivered)
                #expect(log[0].responseCode == 200)
                #expect(log[0].url == receiver.url)
                #expect(log[0].error == nil)
                #expect(log[0].latencyMillis >= 0)
                #expect(log[0].eventID == event.id)
                #expect(try await job(db, eventID: event.id)?.status == "done")
            }
        }
    }

    @Test func receiverDownForAWhileGetsTheEventOnTheFourthAttempt() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            try await Receiver.with(failFirst: 3) { receiver in
                let clock = ManualClock()
                let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
                let event = try await publish(outbox, db)
                let service = service(db, clock: clock, url: receiver.url)
                #expect(try await service.deliverDue() == 1)
                for delay in Self.steady.delays.prefix(3) {
                    // Not due until the pause has passed.
                    clock.advance(seconds: delay - 1)
                    #expect(try await service.deliverDue() == 0)
                    clock.advance(seconds: 1)
                    #expect(try await service.deliverDue() == 1)
                }
                #expect(try await service.deliverDue() == 0)

                let requests = receiver.requests
                #expect(requests.count == 4)
                for received in requests {
                    #expect(received.body == Array(event.payload.utf8))
                    let decoded = try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any]
                    #expect(decoded?["id"] as? String == event.id)
                }
                // Each attempt is signed at its own send time.
                let stamps = requests.compactMap { $0.headers["x-coinpay-signature"].flatMap(WebhookSignature.parse)?.timestamp }
                #expect(stamps.count == 4)
                #expect(Set(stamps).count == 4)

                let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
                #expect(log.map(\.attempt) == [1, 2, 3, 4])
                #expect(log.map(\.status) == [.failed, .failed, .failed, .delivered])
                #expect(log.map(\.responseCode) == [500, 500, 500, 200])
                #expect(log.prefix(3).allSatisfy { $0.error?.hasPrefix("HTTP 500") == true })
                #expect(try await job(db, eventID: event.id)?.status == "done")
                #expect(try await job(db, eventID: event.id)?.attempts == 4)
            }
        }
    }

    @Test func redeliverSendsTheSameEventAgain() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            try await Receiver.with { receiver in
                let clock = ManualClock()
                let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
                let event = try await publish(outbox, db)
                let service = service(db, clock: clock, url: receiver.url)
                #expect(try await service.deliverDue() == 1)

                clock.advance(seconds: 3_600)
                #expect(try await outbox.redeliver(eventID: event.id, in: db))
                #expect(try await outbox.redeliver(eventID: "evt_missing", in: db) == false)
                #expect(try await job(db, eventID: event.id)?.status == "queued")
                #expect(try await service.deliverDue() == 1)

                let requests = receiver.requests
                try #require(requests.count == 2)
                #expect(requests[0].body == requests[1].body)
                #expect(requests[1].body == Array(event.payload.utf8))
                let signature = try #require(requests[1].headers["x-coinpay-signature"])
                #expect(WebhookSignature.verify(header: signature, body: requests[1].body, secret: Self.secret, now: clock.nowMillis() / 1000))
                #expect(requests[0].headers["x-coinpay-signature"] != signature)

                let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
                #expect(log.map(\.attempt) == [1, 2])
                #expect(log.map(\.status) == [.delivered, .delivered])
                #expect(try await job(db, eventID: event.id)?.attempts == 1)
            }
        }
    }

    @Test func unreachableEndpointIsRetriedThenGivenUp() async throws {
        // A client that reports a refused connection at once instead of retrying until the deadline.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await TestDatabase.with(migrations: Self.migrations) { db in
                let clock = ManualClock()
                let schedule = RetrySchedule(delays: [5, 10], random: { 0.5 })
                let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock, maxAttempts: schedule.maxAttempts)
                let event = try await publish(outbox, db)
                // Nothing listens on port 1: connection refused.
                let service = service(db, clock: clock, url: "http://127.0.0.1:1/hook", schedule: schedule, httpClient: client)
                #expect(try await service.deliverDue() == 1)
                clock.advance(seconds: 5)
                #expect(try await service.deliverDue() == 1)
                clock.advance(seconds: 10)
                #expect(try await service.deliverDue() == 1)
                clock.advance(seconds: 86_400)
                #expect(try await service.deliverDue() == 0)

                let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
                #expect(log.map(\.attempt) == [1, 2, 3])
                #expect(log.allSatisfy { $0.status == .failed && $0.responseCode == nil && !($0.error ?? "").isEmpty })
                #expect(try await job(db, eventID: event.id)?.status == "dead")

                // A redelivery brings a dead event back, with a fresh set of attempts.
                #expect(try await outbox.redeliver(eventID: event.id, in: db))
                #expect(try await service.deliverDue() == 1)
                #expect(try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }.last?.attempt == 4)
                #expect(try await job(db, eventID: event.id)?.status == "queued")
                #expect(try await job(db, eventID: event.id)?.attempts == 1)
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func businessWithoutEndpointCompletesWithALogRow() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
            let event = try await publish(outbox, db)
            let service = service(db, clock: clock, url: nil)
            #expect(try await service.deliverDue() == 1)
            clock.advance(seconds: 86_400)
            #expect(try await service.deliverDue() == 0)
            let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
            #expect(log.count == 1)
            #expect(log.first?.status == .failed)
            #expect(log.first?.error == "no endpoint configured")
            #expect(log.first?.url == "")
            #expect(try await job(db, eventID: event.id)?.status == "done")
        }
    }

    @Test func directoryFailureCountsAsAFailedAttempt() async throws {
        struct BrokenDirectory: WebhookEndpointDirectory {
            struct Broken: Error, CustomStringConvertible { var description: String { "cannot open sealed secret" } }
            func webhookEndpoint(businessID: String) async throws -> WebhookEndpoint? { throw Broken() }
        }
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
            let event = try await publish(outbox, db)
            let service = WebhookDeliveryService(
                db: db, jobs: JobQueue(clock: clock), directory: BrokenDirectory(), httpClient: .shared, clock: clock,
                schedule: Self.steady, logger: Logger(label: "test.webhooks", factory: { _ in SwiftLogNoOpLogHandler() }), owner: "w"
            )
            #expect(try await service.deliverDue() == 1)
            let log = try await db.read { try await outbox.deliveries(eventID: event.id, in: $0) }
            #expect(log.first?.status == .failed)
            #expect(log.first?.error == "endpoint lookup failed: cannot open sealed secret")
            #expect(try await job(db, eventID: event.id)?.status == "queued")
            clock.advance(seconds: 30)
            #expect(try await service.deliverDue() == 1)
        }
    }

    @Test func runLoopDeliversUntilCancelled() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            try await Receiver.with { receiver in
                let clock = ManualClock()
                let outbox = Outbox(jobs: JobQueue(clock: clock), clock: clock)
                var logger = Logger(label: "test.webhooks")
                logger.logLevel = .critical
                let service = WebhookDeliveryService(
                    db: db, jobs: JobQueue(clock: clock),
                    directory: StaticDirectory(endpoints: ["biz_1": WebhookEndpoint(url: receiver.url, secret: Self.secret)]),
                    httpClient: .shared, clock: clock, schedule: Self.steady, logger: logger, owner: "loop",
                    pollInterval: .milliseconds(20), destinations: .allowingPrivate
                )
                let loop = Task { try await service.run() }
                let event = try await publish(outbox, db)
                var waited = 0
                while receiver.requests.isEmpty && waited < 250 {
                    try await Task.sleep(for: .milliseconds(20))
                    waited += 1
                }
                loop.cancel()
                try await loop.value
                #expect(receiver.requests.count == 1)
                #expect(receiver.requests.first?.body == Array(event.payload.utf8))
            }
        }
    }

    @Test func defaultScheduleCoversADayWithBoundedJitter() {
        let schedule = RetrySchedule.default
        #expect(schedule.maxAttempts >= 3)
        #expect(schedule.maxAttempts == schedule.delays.count + 1)
        #expect(schedule.totalSeconds >= 86_400)
        #expect(schedule.minimumTotalSeconds >= 86_400)
        #expect(schedule.delays == schedule.delays.sorted())

        let low = schedule.with(random: { 0 })
        let high = schedule.with(random: { 0.999_999 })
        let middle = schedule.with(random: { 0.5 })
        var shortest: Int64 = 0
        for attempt in 1...schedule.delays.count {
            let base = schedule.delays[attempt - 1] * 1000
            #expect(middle.delayMillis(afterAttempt: attempt) == base)
            let lo = low.delayMillis(afterAttempt: attempt)
            let hi = high.delayMillis(afterAttempt: attempt)
            #expect(lo == base * 8 / 10)
            #expect(hi.map { $0 <= base * 12 / 10 && $0 >= base * 119 / 100 } == true)
            shortest += lo ?? 0
        }
        #expect(shortest >= 86_400_000)
        #expect(schedule.delayMillis(afterAttempt: schedule.maxAttempts) == nil)
        #expect(schedule.delayMillis(afterAttempt: 0) == nil)
        #expect(middle.retryAt(afterAttempt: 1, nowMillis: 1_000) == 31_000)
        #expect(middle.retryAt(afterAttempt: schedule.maxAttempts, nowMillis: 1_000) == nil)

        // Whatever the random source says, every pause stays within ±20%.
        var generator = SplitMix64(seed: 42)
        let values = (0..<500).map { _ in Double(generator.next() >> 11) / Double(1 << 53) }
        let index = Mutex(0)
        let seeded = schedule.with(random: { index.withLock { i in defer { i += 1 }; return values[i % values.count] } })
        for round in 0..<50 {
            let attempt = round % schedule.delays.count + 1
            let base = Double(schedule.delays[attempt - 1] * 1000)
            let delay = Double(seeded.delayMillis(afterAttempt: attempt) ?? -1)
            #expect(delay >= base * 0.8 && delay <= base * 1.2)
        }
    }
}
