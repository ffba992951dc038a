import Storage

/// The Merchants feature's tables.
enum MerchantsSchema {
    static let migrations: [Migration] = [
        Migration(id: "0300_merchants", [
            """
            CREATE TABLE merchants (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                name TEXT,
                plan_id TEXT NOT NULL DEFAULT 'starter',
                notifications_enabled BIGINT NOT NULL DEFAULT 1,
                email_notifications BIGINT NOT NULL DEFAULT 1,
                web_notifications BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE businesses (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants (id),
                name TEXT NOT NULL,
                description TEXT,
                webhook_url TEXT,
                webhook_secret_sealed TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deleted_at BIGINT
            )
            """,
            "CREATE INDEX businesses_merchant ON businesses (merchant_id)",
            """
            CREATE TABLE business_wallets (
                business_id TEXT NOT NULL REFERENCES businesses (id),
                coin TEXT NOT NULL,
                address TEXT NOT NULL,
                is_active BIGINT NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (business_id, coin)
            )
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                business_id TEXT NOT NULL REFERENCES businesses (id),
                merchant_id TEXT NOT NULL REFERENCES merchants (id),
                name TEXT,
                prefix TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                live BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_business ON api_keys (business_id)",
        ]),
        // Minutes a payment of the business waits for money (nil: the server default, 15).
        Migration(id: "0310_business_payment_expiry", ["ALTER TABLE businesses ADD COLUMN payment_expiry_minutes BIGINT"]),
    ]
}
