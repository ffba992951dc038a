import Foundation

/// The OpenAPI 3.1 description of every route. A test compares it with the router's route list, so
/// a route cannot be added or removed without updating this document.
public enum OpenAPIDocument {
    enum Auth { case none, session, sessionOrKey, apiKey }

    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        let auth: Auth
        var request: String? = nil
        var query: [(String, String)] = []
        var success: Int = 200
        var errors: [Int] = []
        var response: String? = nil
    }

    static let operations: [Operation] = [
        .init(method: "GET", path: "/healthz", summary: "Liveness probe", tag: "Operations", auth: .none),
        .init(method: "GET", path: "/readyz", summary: "Readiness: database reachable", tag: "Operations", auth: .none, errors: [503]),
        .init(method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "Operations", auth: .none),
        .init(method: "GET", path: "/openapi.json", summary: "This document", tag: "Operations", auth: .none),
        .init(method: "POST", path: "/api/auth/register", summary: "Create a merchant account", tag: "Authentication", auth: .none, request: "RegisterRequest", success: 201, errors: [400, 429]),
        .init(method: "POST", path: "/api/auth/login", summary: "Log in and get a 24-hour JWT", tag: "Authentication", auth: .none, request: "LoginRequest", errors: [400, 401, 429]),
        .init(method: "GET", path: "/api/auth/me", summary: "The authenticated merchant", tag: "Authentication", auth: .sessionOrKey, errors: [401]),
        .init(method: "GET", path: "/api/settings", summary: "Notification settings", tag: "Settings", auth: .session, errors: [401, 403]),
        .init(method: "PUT", path: "/api/settings", summary: "Update notification settings", tag: "Settings", auth: .session, request: "Settings", errors: [400, 401, 403]),
        .init(method: "GET", path: "/api/businesses", summary: "List businesses", tag: "Businesses", auth: .sessionOrKey, errors: [401]),
        .init(method: "POST", path: "/api/businesses", summary: "Create a business", tag: "Businesses", auth: .session, request: "CreateBusinessRequest", success: 201, errors: [400, 401, 403]),
        .init(method: "GET", path: "/api/businesses/:id", summary: "Get a business", tag: "Businesses", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "PATCH", path: "/api/businesses/:id", summary: "Update a business", tag: "Businesses", auth: .session, request: "UpdateBusinessRequest", errors: [400, 401, 403, 404]),
        .init(method: "DELETE", path: "/api/businesses/:id", summary: "Delete a business (its API keys stop working)", tag: "Businesses", auth: .session, errors: [401, 403, 404]),
        .init(method: "POST", path: "/api/businesses/:id/webhook-secret", summary: "Rotate the webhook signing secret", tag: "Webhooks", auth: .session, errors: [400, 401, 403, 404]),
        .init(method: "GET", path: "/api/businesses/:id/webhook-secret", summary: "Reveal the webhook signing secret", tag: "Webhooks", auth: .session, errors: [401, 403, 404]),
        .init(method: "POST", path: "/api/businesses/:id/api-keys", summary: "Create an API key (shown once)", tag: "API keys", auth: .session, request: "CreateAPIKeyRequest", success: 201, errors: [400, 401, 403, 404]),
        .init(method: "GET", path: "/api/businesses/:id/api-keys", summary: "List API keys (prefixes only)", tag: "API keys", auth: .session, errors: [401, 403, 404]),
        .init(method: "DELETE", path: "/api/businesses/:id/api-keys/:keyId", summary: "Revoke an API key", tag: "API keys", auth: .session, errors: [401, 403, 404]),
        .init(method: "GET", path: "/api/supported-coins", summary: "Coins a business accepts", tag: "Supported Coins", auth: .sessionOrKey,
              query: [("business_id", "Business id (required with a JWT)"), ("active_only", "true to list only active wallets")], errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/subscription-plans", summary: "Subscription plans", tag: "Subscriptions", auth: .none),
        .init(method: "GET", path: "/api/rates", summary: "Exchange rates", tag: "Exchange Rates", auth: .none,
              query: [("coin", "One coin code"), ("coins", "Comma-separated coin codes"), ("fiat", "Fiat code (default USD)")], errors: [400, 503]),
        .init(method: "POST", path: "/api/webhooks/test", summary: "Send a test.webhook event", tag: "Webhooks", auth: .sessionOrKey, request: "TestWebhookRequest", success: 201, errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/webhooks/events", summary: "Events sent to a business", tag: "Webhooks", auth: .sessionOrKey,
              query: [("business_id", "Business id (required with a JWT)"), ("limit", "1-100, default 50")], errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/webhooks/events/:id/deliveries", summary: "Delivery attempts of an event", tag: "Webhooks", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "POST", path: "/api/webhooks/events/:id/redeliver", summary: "Deliver an event again (same id and body)", tag: "Webhooks", auth: .sessionOrKey, success: 202, errors: [401, 404]),
        .init(method: "GET", path: "/api/x402/supported", summary: "x402 facilitator: supported kinds and signers", tag: "x402", auth: .none,
              response: "X402Supported"),
        .init(method: "POST", path: "/api/x402/verify", summary: "x402 facilitator: verify a payment (documented or standard body; invalid payments answer 200)",
              tag: "x402", auth: .apiKey, request: "X402VerifyRequest", errors: [400, 401, 403], response: "X402VerifyResponse"),
        .init(method: "POST", path: "/api/x402/settle", summary: "x402 facilitator: settle a payment on chain (documented or standard body)",
              tag: "x402", auth: .apiKey, request: "X402SettleRequest", errors: [400, 401, 403], response: "X402SettleResponse"),
        .init(method: "POST", path: "/api/x402/resources", summary: "Define a paid resource (no-code paywall)", tag: "x402", auth: .sessionOrKey,
              request: "X402ResourceRequest", success: 201, errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/x402/resources", summary: "The business's paid resources", tag: "x402", auth: .sessionOrKey,
              query: [("business_id", "Business id (required with a JWT)")], errors: [400, 401, 404]),
        .init(method: "PATCH", path: "/api/x402/resources/:id", summary: "Change a paid resource", tag: "x402", auth: .sessionOrKey,
              request: "X402ResourceRequest", errors: [400, 401, 404]),
        .init(method: "DELETE", path: "/api/x402/resources/:id", summary: "Remove a paid resource", tag: "x402", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "GET", path: "/api/x402/payments", summary: "x402 payment history of the business", tag: "x402", auth: .sessionOrKey,
              query: [("business_id", "Business id (required with a JWT)"), ("limit", "1-200, default 50")], errors: [400, 401, 404]),
        .init(method: "GET", path: "/dashboard/x402", summary: "x402 dashboard page (HTML; loads data with a pasted API key)", tag: "x402", auth: .none),
        .init(method: "GET", path: "/x402/r/:id", summary: "A paid resource: 402 with payment options until paid (X-PAYMENT or PAYMENT-SIGNATURE), then the upstream's answer",
              tag: "x402", auth: .none, errors: [402, 404, 502, 503]),
        .init(method: "POST", path: "/x402/r/:id", summary: "A paid resource (POST is proxied with its body)", tag: "x402", auth: .none, errors: [402, 404, 502, 503]),
        .init(method: "POST", path: "/api/payments/create", summary: "Create a crypto payment (amount_usd or amount + fiat_currency, currency, description, redirect_url, metadata)",
              tag: "Payments", auth: .sessionOrKey, success: 201, errors: [400, 401, 402, 404, 429, 503]),
        .init(method: "GET", path: "/api/payments", summary: "List payments", tag: "Payments", auth: .sessionOrKey,
              query: [("business_id", "Business id"), ("status", "Payment status"), ("currency", "Currency code"), ("limit", "1-100, default 50"), ("offset", "Offset")],
              errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/payments/:id", summary: "A payment", tag: "Payments", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "GET", path: "/api/payments/:id/qr", summary: "QR code of the payment's wallet URI (PNG, or SVG with format=svg)", tag: "Payments", auth: .none,
              query: [("format", "png or svg")], errors: [400, 404]),
        .init(method: "POST", path: "/api/business-collection", summary: "Create a business collection payment (100% to the platform wallet; 24 h expiry)",
              tag: "Business Collection", auth: .sessionOrKey, success: 201, errors: [400, 401, 404, 503]),
        .init(method: "GET", path: "/api/business-collection", summary: "List business collection payments", tag: "Business Collection", auth: .sessionOrKey,
              query: [("business_id", "Business id"), ("status", "Payment status"), ("limit", "1-100, default 50"), ("offset", "Offset")], errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/business-collection/:id", summary: "A business collection payment", tag: "Business Collection", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "GET", path: "/api/entitlements", summary: "Plan, features and this month's usage of the merchant", tag: "Subscriptions", auth: .sessionOrKey, errors: [401]),
        .init(method: "POST", path: "/api/subscriptions/checkout", summary: "Buy the Professional plan with a crypto payment (plan_id, billing_period, blockchain)",
              tag: "Subscriptions", auth: .sessionOrKey, success: 201, errors: [400, 401, 404, 503]),
        .init(method: "GET", path: "/api/subscriptions/status", summary: "Subscription status (active, cancelled or past_due)", tag: "Subscriptions", auth: .sessionOrKey, errors: [401]),
        .init(method: "DELETE", path: "/api/subscriptions/status", summary: "Cancel the subscription (access continues to the end of the period)",
              tag: "Subscriptions", auth: .sessionOrKey, errors: [401, 404]),
        .init(method: "GET", path: "/api/dashboard/stats", summary: "Exact payment statistics: counts, volume per asset and in USD, recent payments",
              tag: "Dashboard", auth: .sessionOrKey, query: [("business_id", "Business id (default: all the merchant's)")], errors: [401, 404]),
        .init(method: "GET", path: "/api/dashboard/analytics", summary: "Confirmed volume per day and asset (Professional: advanced analytics)",
              tag: "Dashboard", auth: .sessionOrKey, query: [("days", "1-366, default 30"), ("business_id", "Business id")], errors: [400, 401, 402, 403, 404]),
        .init(method: "POST", path: "/api/direct-wallets", summary: "Direct mode: register an xpub for a chain (payments go to addresses derived from it; nothing is forwarded)",
              tag: "Payments", auth: .sessionOrKey, success: 201, errors: [400, 401, 404]),
        .init(method: "GET", path: "/api/direct-wallets", summary: "Direct-mode keys of a business", tag: "Payments", auth: .sessionOrKey,
              query: [("business_id", "Business id (required with a JWT)")], errors: [400, 401, 404]),
        .init(method: "DELETE", path: "/api/direct-wallets/:blockchain", summary: "Leave direct mode on a chain (new payments use custody again)",
              tag: "Payments", auth: .sessionOrKey, query: [("business_id", "Business id (required with a JWT)")], errors: [400, 401, 404]),
        .init(method: "GET", path: "/pay/:id", summary: "Hosted checkout page (HTML)", tag: "Payments", auth: .none, errors: [404]),
        .init(method: "GET", path: "/pay/:id/status", summary: "Checkout status for the page's polling", tag: "Payments", auth: .none, errors: [404]),
        .init(method: "POST", path: "/pay/:id/simulate", summary: "Devnet: pay what is still due (checkout button)", tag: "Devnet", auth: .none, success: 303, errors: [404]),
        .init(method: "POST", path: "/pay/:id/mine", summary: "Devnet: mine a block (checkout button)", tag: "Devnet", auth: .none, success: 303, errors: [404]),
        .init(method: "POST", path: "/api/dev/pay", summary: "Devnet: pay an address (cheat mode)", tag: "Devnet", auth: .none, request: "DevPayRequest", success: 201, errors: [400, 403]),
        .init(method: "POST", path: "/api/dev/mine", summary: "Devnet: mine blocks", tag: "Devnet", auth: .none, request: "DevMineRequest", errors: [400, 403]),
        .init(method: "POST", path: "/api/dev/reorg", summary: "Devnet: reorganise the chain", tag: "Devnet", auth: .none, request: "DevReorgRequest", errors: [400, 403]),
        .init(method: "POST", path: "/api/dev/double-spend", summary: "Devnet: double-spend a mempool transaction", tag: "Devnet", auth: .none, request: "DevDoubleSpendRequest", errors: [400, 403]),
    ]

    /// `METHOD /path/{param}` for every documented operation.
    public static var routeKeys: Set<String> { Set(operations.map { "\($0.method) \(openAPIPath($0.path))" }) }

    static func openAPIPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    static var schemas: [String: Any] { [
        "Error": object(["success": ["type": "boolean", "const": false], "error": string, "code": string, "field": string], required: ["success", "error"]),
        "RegisterRequest": object(["email": string, "password": ["type": "string", "minLength": 8], "name": string], required: ["email", "password"]),
        "LoginRequest": object(["email": string, "password": string], required: ["email", "password"]),
        "Settings": object(["notifications_enabled": bool, "email_notifications": bool, "web_notifications": bool], required: []),
        "CreateBusinessRequest": object(["name": string, "description": string, "wallet_address": string,
                                         "wallet_addresses": ["type": "object", "additionalProperties": string], "webhook_url": string], required: ["name"]),
        "UpdateBusinessRequest": object(["name": string, "description": string, "wallet_address": string,
                                         "wallet_addresses": ["type": "object", "additionalProperties": string], "webhook_url": string], required: []),
        "CreateAPIKeyRequest": object(["name": string, "mode": ["type": "string", "enum": ["live", "test"]]], required: []),
        "TestWebhookRequest": object(["business_id": string], required: []),
        "DevPayRequest": object(["chain": string, "to": string, "amount": ["type": ["string", "number"]], "asset": string], required: ["chain", "to", "amount"]),
        "DevMineRequest": object(["chain": string, "blocks": ["type": "integer", "minimum": 1, "maximum": 10000]], required: ["chain"]),
        "DevReorgRequest": object(["chain": string, "depth": ["type": "integer", "minimum": 1], "remine": bool], required: ["chain", "depth"]),
        "DevDoubleSpendRequest": object(["chain": string, "txid": string], required: ["chain", "txid"]),
        // x402: our documented shapes and the standard protocol's, side by side.
        "X402ResourceRequest": object(["name": string, "description": string, "price_usd": ["type": ["string", "number"], "description": "USD, up to 6 decimals, at most 10000"],
                                       "networks": ["type": "array", "items": string], "upstream_url": string, "mime_type": string], required: ["name", "price_usd", "upstream_url"]),
        "X402StandardRequest": object(["x402Version": ["type": "integer", "enum": [1, 2]], "paymentPayload": ["type": "object"],
                                       "paymentRequirements": ["type": "object"]], required: ["paymentPayload", "paymentRequirements"]),
        "X402DocumentedVerifyRequest": object(["proof": ["type": ["string", "object"], "description": "base64 X-Payment header"], "expectedAmount": string,
                                               "expectedAsset": string, "expectedNetwork": string, "expectedPayTo": string],
                                              required: ["proof", "expectedAmount", "expectedAsset", "expectedNetwork", "expectedPayTo"]),
        "X402DocumentedSettleRequest": object(["proof": ["type": ["string", "object"]], "network": string], required: ["proof", "network"]),
        "X402VerifyRequest": ["oneOf": [["$ref": "#/components/schemas/X402StandardRequest"], ["$ref": "#/components/schemas/X402DocumentedVerifyRequest"]]],
        "X402SettleRequest": ["oneOf": [["$ref": "#/components/schemas/X402StandardRequest"], ["$ref": "#/components/schemas/X402DocumentedSettleRequest"]]],
        "X402VerifyResponse": ["oneOf": [
            object(["isValid": bool, "invalidReason": string, "invalidMessage": string, "payer": string], required: ["isValid"]),
            object(["valid": bool, "network": string, "asset": string, "amount": string, "from": string, "to": string, "reason": string, "code": string], required: ["valid"]),
        ]],
        "X402SettleResponse": ["oneOf": [
            object(["success": bool, "transaction": string, "network": string, "payer": string, "amount": string, "errorReason": string, "errorMessage": string],
                   required: ["success", "transaction", "network"]),
            object(["settled": bool, "txHash": string, "network": string, "amount": string, "asset": string, "reason": string, "code": string], required: ["settled"]),
        ]],
        "X402Supported": object(["kinds": ["type": "array", "items": object(["x402Version": ["type": "integer"], "scheme": string, "network": string], required: ["x402Version", "scheme", "network"])],
                                 "extensions": ["type": "array"], "signers": ["type": "object"]], required: ["kinds"]),
    ] }

    static var string: [String: Any] { ["type": "string"] }
    static var bool: [String: Any] { ["type": "boolean"] }
    static func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    static let errorDescriptions = [400: "Bad request: invalid or missing fields", 401: "Missing or invalid authentication", 402: "Payment required (x402: v1 body, v2 PAYMENT-REQUIRED header)", 403: "Not allowed for this caller",
                                    404: "Not found", 409: "Conflicting request in progress", 429: "Rate limited (see Retry-After)",
                                    502: "Upstream failed", 503: "Dependency unavailable", 500: "Server error"]

    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            var operation: [String: Any] = ["summary": op.summary, "tags": [op.tag], "operationId": "\(op.method.lowercased()) \(op.path)"]
            var parameters: [[String: Any]] = op.path.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                ["name": String($0.dropFirst()), "in": "path", "required": true, "schema": string]
            }
            parameters += op.query.map { ["name": $0.0, "in": "query", "required": false, "description": $0.1, "schema": string] }
            if op.method == "POST" { parameters.append(["name": "Idempotency-Key", "in": "header", "required": false, "schema": string]) }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let request = op.request {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(request)"]]]]
            }
            switch op.auth {
            case .none: operation["security"] = [[String: Any]]()
            case .session: operation["security"] = [["bearerJWT": [String]()]]
            case .sessionOrKey: operation["security"] = [["bearerJWT": [String]()], ["apiKey": [String]()]]
            case .apiKey: operation["security"] = [["apiKey": [String]()]]
            }
            let successSchema: [String: Any] = op.response.map { ["$ref": "#/components/schemas/\($0)"] } ?? ["type": "object"]
            var responses: [String: Any] = [String(op.success): ["description": "Success", "content": ["application/json": ["schema": successSchema]]]]
            var errors = op.errors
            if op.path.hasPrefix("/api/") { errors += [429, 500] }
            for code in Set(errors).sorted() {
                responses[String(code)] = ["description": errorDescriptions[code] ?? "Error",
                                           "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            operation["responses"] = responses
            paths[openAPIPath(op.path), default: [:]][op.method.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Railyard", "version": "0.1.0", "description": "Self-hosted payments server speaking the CoinPay merchant API."],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "bearerJWT": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"],
                    "apiKey": ["type": "http", "scheme": "bearer", "description": "Business API key cp_live_… or cp_test_…"],
                ],
            ],
        ]
    }

    public static let json: [UInt8] = {
        // The document is built from literals above; serialisation cannot fail for them.
        Array((try? JSONSerialization.data(withJSONObject: document(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }()
}
