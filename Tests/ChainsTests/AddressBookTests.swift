import Chains
import RailyardCrypto
import Storage
import Testing
import TestSupport

@Suite("Watch-only addresses from an xpub")
struct AddressBookTests {
    static let migrations = ChainWatchList.migrations + AddressBook.migrations
    // BIP-84 test vector: mnemonic "abandon ×11 about", account m/84'/0'/0'.
    static let zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"

    @Test func allocatesConsecutiveAddressesOnceAndWatchesThem() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let book = AddressBook()
            try await db.write { tx in try await book.register(tx, id: "biz_1:BTC", chain: .btc, network: .mainnet, xpub: Self.zpub, now: 0) }
            let first = try await db.write { tx in try await book.nextAddress(tx, sourceID: "biz_1:BTC", reference: "pay_1", now: 0) }
            let second = try await db.write { tx in try await book.nextAddress(tx, sourceID: "biz_1:BTC", reference: "pay_2", now: 0) }
            // The BIP-84 vector's first two receive addresses.
            #expect(first.address == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
            #expect(first.index == 0 && first.path == "0/0")
            #expect(second.address == "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")
            let watched = try await db.read { try await $0.raw("SELECT address, reference FROM chain_addresses ORDER BY reference").all() }
            #expect(try watched.map { try $0.decode(column: "reference", as: String.self) } == ["pay_1", "pay_2"])
            // Concurrent requests never share an address.
            let many = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<20 {
                    group.addTask { try await db.write { tx in try await book.nextAddress(tx, sourceID: "biz_1:BTC", reference: "c\(i)", now: 0) }.address }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(many).count == 20)
        }
    }

    @Test func refusesPrivateKeysWrongNetworksAndGarbage() throws {
        let xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
        #expect(throws: AddressBook.Error.privateKeyRefused) { try AddressBook.validate(xpub: xprv, chain: .btc, network: .mainnet) }
        #expect(throws: AddressBook.Error.self) { try AddressBook.validate(xpub: Self.zpub, chain: .btc, network: .testnet) }
        #expect(throws: AddressBook.Error.self) { try AddressBook.validate(xpub: "xpub-not-a-key", chain: .btc, network: .mainnet) }
        #expect(throws: AddressBook.Error.self) { try AddressBook.validate(xpub: Self.zpub, chain: .sol, network: .mainnet) }
        #expect(try AddressBook.validate(xpub: Self.zpub, chain: .ltc, network: .mainnet) == .p2wpkh)
    }
}
