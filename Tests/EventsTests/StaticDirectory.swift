import Events

/// Endpoints per business, fixed for a test.
struct StaticDirectory: WebhookEndpointDirectory {
    let endpoints: [String: WebhookEndpoint]
    func webhookEndpoint(businessID: String) async throws -> WebhookEndpoint? { endpoints[businessID] }
}
