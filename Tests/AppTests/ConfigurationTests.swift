import App
import Foundation
import Testing

@Suite("Configuration from the environment and a settings file")
struct ConfigurationTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "railyard-settings-\(UUID().uuidString).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func settingsFileGivesTheSameSettingsAndTheEnvironmentWins() throws {
        let path = try write("""
            # node settings
            RAILYARD_NETWORK=regtest
            RAILYARD_LTC_RPC_URL="http://user:secret@127.0.0.1:19443"
            export RAILYARD_CONFIRMATIONS_LTC=2
            RAILYARD_USDC_ETH_CONTRACT='0xF2E246BB76DF876Cef8b38ae84130F4F55De395b'
            RAILYARD_LTC_FALLBACK_FEE_RATE=5
            RAILYARD_PORT=9000

            """)
        let config = try RailyardConfiguration.load(environment: ["RAILYARD_PORT": "9100"], configFile: path)
        #expect(config.network == .regtest)
        #expect(config.chainRPCURLs["LTC"] == "http://user:secret@127.0.0.1:19443")
        #expect(config.confirmationOverrides == ["LTC": 2])
        #expect(config.tokenContracts["USDC_ETH"] == "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b")
        #expect(config.fallbackFeeRates == ["LTC": 5])
        #expect(config.port == 9100)  // the environment overrides the file
        // RAILYARD_CONFIG names the file too.
        #expect(try RailyardConfiguration.load(environment: ["RAILYARD_CONFIG": path]).confirmationOverrides == ["LTC": 2])
        let described = try config.describe().first { $0.0 == "confirmations" }?.1 ?? ""
        #expect(described.contains("LTC=2") && described.contains("BTC=3") && described.contains("SOL=32"))
    }

    @Test func badSettingsFilesAreRefusedWithTheLine() throws {
        for (text, message) in [
            ("RAILYARD_NETWORK=regtest\nNOT_OURS=1\n", ":2: NOT_OURS is not a Railyard setting"),
            ("RAILYARD_NETWORK\n", ":1: expected NAME=value"),
            ("RAILYARD_PORT=1\nRAILYARD_PORT=2\n", ":2: RAILYARD_PORT is set twice"),
            ("RAILYARD_CONFIRMATIONS_BTC=0\n", "RAILYARD_CONFIRMATIONS_BTC must be 1-10000"),
            ("RAILYARD_NETWORK=moon\n", "RAILYARD_NETWORK must be one of"),
        ] {
            let path = try write(text)
            #expect { try RailyardConfiguration.load(environment: [:], configFile: path) } throws: { error in
                "\(error)".contains(message)
            }
        }
        #expect(throws: (any Error).self) { try RailyardConfiguration.load(environment: [:], configFile: "/nonexistent/railyard.conf") }
    }
}
