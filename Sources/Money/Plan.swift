/// A subscription plan as documented under "Subscriptions & Entitlements". Kernel data: the
/// catalogue (Merchants) lists it, payments bill and enforce it, every fee-taking feature reads its rate.
public struct Plan: Sendable, Encodable {
    public struct Pricing: Sendable, Encodable { public let monthly: Int; public let yearly: Int }
    public struct Limits: Sendable, Encodable {
        public let monthly_transactions: Int?
        public let is_unlimited: Bool

        // Unlimited is written as an explicit null, as documented.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(monthly_transactions, forKey: .monthly_transactions)
            try container.encode(is_unlimited, forKey: .is_unlimited)
        }
        enum CodingKeys: String, CodingKey { case monthly_transactions, is_unlimited }
    }
    public struct Features: Sendable, Encodable {
        public let all_chains_supported: Bool
        public let basic_api_access: Bool
        public let advanced_analytics: Bool
        public let custom_webhooks: Bool
        public let white_label: Bool
        public let priority_support: Bool
    }

    public let id: String
    public let name: String
    public let description: String
    /// Whole US dollars.
    public let pricing: Pricing
    public let limits: Limits
    public let features: Features
    /// Platform commission in basis points (100 = 1%).
    public let fee_bps: Int

    public static let starter = Plan(
        id: "starter", name: "Starter", description: "Perfect for testing and small projects",
        pricing: .init(monthly: 0, yearly: 0), limits: .init(monthly_transactions: 100, is_unlimited: false),
        features: .init(all_chains_supported: true, basic_api_access: true, advanced_analytics: false, custom_webhooks: false, white_label: false, priority_support: false),
        fee_bps: 100)
    public static let professional = Plan(
        id: "professional", name: "Professional", description: "Unlimited transactions for growing businesses",
        pricing: .init(monthly: 49, yearly: 490), limits: .init(monthly_transactions: nil, is_unlimited: true),
        features: .init(all_chains_supported: true, basic_api_access: true, advanced_analytics: true, custom_webhooks: true, white_label: false, priority_support: true),
        fee_bps: 50)
    public static let all = [starter, professional]
}

extension Plan {
    public static func named(_ id: String) -> Plan? { all.first { $0.id == id } }

    /// Whether the plan includes a feature (`advanced_analytics`, `custom_webhooks`, ...); nil for an unknown name.
    public func includes(_ feature: String) -> Bool? {
        switch feature {
        case "all_chains_supported": return features.all_chains_supported
        case "basic_api_access": return features.basic_api_access
        case "advanced_analytics": return features.advanced_analytics
        case "custom_webhooks": return features.custom_webhooks
        case "white_label": return features.white_label
        case "priority_support": return features.priority_support
        default: return nil
        }
    }
}
