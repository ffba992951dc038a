import Events
import Foundation
import HTTP
import Hummingbird
import SQLKit
import Storage

/// Gives the delivery worker each business's webhook URL and (decrypted) signing secret.
public struct BusinessWebhookDirectory: WebhookEndpointDirectory {
    let db: Database
    let secrets: SecretBox

    public func webhookEndpoint(businessID: String) async throws -> WebhookEndpoint? {
        guard let row = try await db.read({ db in
            try await db.raw("SELECT webhook_url, webhook_secret_sealed FROM businesses WHERE id = \(bind: businessID) AND deleted_at IS NULL").first()
        }), let url = try row.decode(column: "webhook_url", as: String?.self),
           let sealed = try row.decode(column: "webhook_secret_sealed", as: String?.self) else { return nil }
        return WebhookEndpoint(url: url, secret: try secrets.open(sealed))
    }
}

extension MerchantsFeature {
    public var webhookDirectory: BusinessWebhookDirectory { BusinessWebhookDirectory(db: deps.db, secrets: deps.secrets) }

    struct TestWebhookBody: Decodable { let business_id: String? }
    struct TestWebhookData: Encodable, Sendable { let message: String; let business_id: String }

    func addWebhookRoutes(to router: Router<RailyardRequestContext>) {
        let deps = self.deps
        let feature = self

        router.post("/api/webhooks/test") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let body = buffer.readableBytes == 0 ? TestWebhookBody(business_id: nil) : try APIRequestDecoder.decode(TestWebhookBody.self, from: Data(buffer: buffer))
            let business = try await feature.requestBusiness(request, principal: principal, businessID: body.business_id)
            guard business.webhookURL != nil else {
                throw APIError.badRequest("This business has no webhook_url configured", code: "no_webhook_url", field: "webhook_url")
            }
            let event = try await deps.db.write { tx in
                try await deps.outbox.publish(tx, businessID: business.id, type: "test.webhook",
                                              data: TestWebhookData(message: "Test webhook from Railyard", business_id: business.id))
            }
            return try ok("event", EventView(event), status: .created)
        }

        router.get("/api/webhooks/events") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let business = try await feature.requestBusiness(request, principal: principal)
            let limit = try request.intQuery("limit", default: 50, range: 1...100)
            let events = try await deps.db.read { try await deps.outbox.events(businessID: business.id, limit: limit, in: $0) }
            return try ok("events", events.map(EventView.init))
        }

        router.get("/api/webhooks/events/:id/deliveries") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let event = try await feature.ownedEvent(try context.parameters.require("id"), principal: principal)
            let attempts = try await deps.db.read { try await deps.outbox.deliveries(eventID: event.id, in: $0) }
            return try ok("deliveries", attempts.map(DeliveryView.init))
        }

        router.post("/api/webhooks/events/:id/redeliver") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let event = try await feature.ownedEvent(try context.parameters.require("id"), principal: principal)
            _ = try await deps.outbox.redeliver(eventID: event.id, in: deps.db)
            return try JSONResponse.make(["success": AnyEncodable(true), "message": AnyEncodable("Redelivery scheduled"), "event_id": AnyEncodable(event.id)], status: .accepted)
        }
    }

    func ownedEvent(_ id: String, principal: Principal) async throws -> OutboxEvent {
        let deps = self.deps
        guard let event = try await deps.db.read({ try await deps.outbox.event(id: id, in: $0) }) else {
            throw APIError.notFound("Event not found", code: "event_not_found")
        }
        do { _ = try await ownedBusiness(event.businessID, principal: principal) } catch {
            throw APIError.notFound("Event not found", code: "event_not_found")
        }
        return event
    }
}

struct EventView: Encodable {
    let id: String
    let type: String
    let business_id: String
    let created_at: String
    /// The exact JSON body delivered to the webhook URL.
    let payload: String

    init(_ event: OutboxEvent) {
        id = event.id
        type = event.type
        business_id = event.businessID
        created_at = Timestamp.iso8601(millis: event.createdAt)
        payload = event.payload
    }
}

struct DeliveryView: Encodable {
    let id: String
    let event_id: String
    let attempt: Int
    let url: String
    let status: String
    let response_code: Int?
    let latency_ms: Int64
    let error: String?
    let created_at: String

    init(_ a: DeliveryAttempt) {
        id = a.id
        event_id = a.eventID
        attempt = a.attempt
        url = a.url
        status = a.status.rawValue
        response_code = a.responseCode
        latency_ms = a.latencyMillis
        error = a.error
        created_at = Timestamp.iso8601(millis: a.createdAt)
    }
}
