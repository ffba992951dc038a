import Foundation
import Money
import Testing

@Suite("Amount and exact decimals")
struct AmountTests {
    @Test(arguments: [
        ("100.5", 2, Int128(10_050)), ("0.5", 2, 50), ("1e-3", 3, 1), ("2.5E+1", 0, 25), ("0", 8, 0),
        ("-1.25", 2, -125), ("0.000000000000000001", 18, 1), ("123456789.123456789012345678", 18, 123_456_789_123_456_789_012_345_678),
        ("100.50000", 2, 10_050), ("1E2", 2, 10_000),
    ])
    func parsesExactly(text: String, decimals: Int, minor: Int128) throws {
        #expect(try Amount.parse(text, decimals: decimals).minorUnits == minor)
    }

    @Test(arguments: ["", "abc", ".5", "5.", "+1", "1,5", "0x10", "1e", "1e+", "NaN", "inf", " 1", "1 ", "1..2", "--1", "1e999"])
    func rejectsMalformedText(text: String) {
        #expect(throws: AmountError.self) { try Amount.parse(text, decimals: 2) }
    }

    @Test func rejectsExcessPrecisionUnlessRoundingIsAsked() throws {
        #expect(throws: AmountError.tooPrecise("0.001", decimals: 2)) { try Amount.parse("0.001", decimals: 2) }
        #expect(throws: AmountError.tooPrecise("1e-3", decimals: 2)) { try Amount.parse("1e-3", decimals: 2) }
        #expect(try Amount.parse("0.005", decimals: 2, rounding: .halfEven).minorUnits == 0)
        #expect(try Amount.parse("0.015", decimals: 2, rounding: .halfEven).minorUnits == 2)
        #expect(try Amount.parse("0.005", decimals: 2, rounding: .halfUp).minorUnits == 1)
        #expect(try Amount.parse("0.001", decimals: 2, rounding: .up).minorUnits == 1)
        #expect(try Amount.parse("-0.001", decimals: 2, rounding: .floor).minorUnits == -1)
        #expect(try Amount.parse("-0.001", decimals: 2, rounding: .ceiling).minorUnits == 0)
        #expect(try Amount.parse("0.009", decimals: 2, rounding: .down).minorUnits == 0)
    }

    @Test func rejectsValuesBeyond128Bits() {
        #expect(throws: AmountError.overflow) { try Amount.parse("1e30", decimals: 18) }
        #expect(throws: AmountError.self) { try Amount.parse("123456789012345678901234567890123456789", decimals: 0) }
        #expect(throws: AmountError.overflow) { try Amount(minorUnits: .max).adding(Amount(minorUnits: 1)) }
    }

    @Test func formatsExactly() {
        #expect(Amount(minorUnits: 10_050).formatted(decimals: 2) == "100.50")
        #expect(Amount(minorUnits: 5).formatted(decimals: 2) == "0.05")
        #expect(Amount(minorUnits: -5).formatted(decimals: 2) == "-0.05")
        #expect(Amount(minorUnits: 42).formatted(decimals: 0) == "42")
        #expect(Amount(minorUnits: 50_000_000).formattedTrimmed(decimals: 8) == "0.5")
        #expect(Amount(minorUnits: 1).formattedTrimmed(decimals: 18) == "0.000000000000000001")
        #expect(Amount(minorUnits: 1_000_000_000_000_000_000).formattedTrimmed(decimals: 18) == "1")
    }

    @Test func convertsWithExplicitRounding() throws {
        // $100.00 at 42,350.80 USD/BTC → 236,123.048… sat (10^11 / 423,508); the merchant's side rounds up.
        let cents = Amount(minorUnits: 10_000)
        let price = try ExactDecimal(parsing: "42350.80")
        #expect(price == ExactDecimal(significand: 423_508, exponent: -1))
        #expect(try cents.converted(fromDecimals: 2, dividingBy: price, toDecimals: 8, rounding: .up).minorUnits == 236_124)
        #expect(try cents.converted(fromDecimals: 2, dividingBy: price, toDecimals: 8, rounding: .down).minorUnits == 236_123)
        // 0.5 ETH at 2580.45 USD/ETH → $1,290.225 → 129,023 cents rounded half-up.
        let wei = Amount(minorUnits: 500_000_000_000_000_000)
        #expect(try wei.converted(fromDecimals: 18, rate: try ExactDecimal(parsing: "2580.45"), toDecimals: 2, rounding: .halfUp).minorUnits == 129_023)
        // 1% fee on 12,345 units, rounded down for the platform.
        #expect(try Amount(minorUnits: 12_345).multiplied(by: 100, dividedBy: 10_000, rounding: .down).minorUnits == 123)
        #expect(throws: AmountError.divisionByZero) { try cents.converted(fromDecimals: 2, dividingBy: ExactDecimal(0), toDecimals: 8, rounding: .up) }
    }

    @Test func roundingRulesOnTies() {
        let cases: [(RoundingRule, Int128, Int128)] = [(.halfEven, 25, 2), (.halfEven, 35, 4), (.halfUp, 25, 3), (.halfUp, -25, -3), (.halfEven, -25, -2),
                                                       (.up, 21, 3), (.down, 29, 2), (.floor, -21, -3), (.ceiling, 21, 3)]
        for (rule, numerator, expected) in cases {
            #expect(rule.divide(numerator, by: 10) == expected, "\(rule) \(numerator)/10")
        }
    }

    struct Body: Decodable { let amount: DecimalInput }

    @Test func jsonNumbersAreReadWithoutBinaryFloatingPoint() throws {
        func decode(_ json: String) throws -> String {
            try JSONDecoder().decode(Body.self, from: Data(json.utf8)).amount.description
        }
        #expect(try decode(#"{"amount": 0.1}"#) == "0.1")
        #expect(try decode(#"{"amount": 100.50}"#) == "100.5")
        #expect(try decode(#"{"amount": 1e-3}"#) == "0.001")
        #expect(try decode(#"{"amount": "12345678901234567.123456789"}"#) == "12345678901234567.123456789")
        // 0.1 + 0.2 is the classic Double failure; exact decimals add up.
        let a = try Amount.parse(try decode(#"{"amount": 0.1}"#), decimals: 2)
        let b = try Amount.parse(try decode(#"{"amount": 0.2}"#), decimals: 2)
        #expect(try a.adding(b).formatted(decimals: 2) == "0.30")
        #expect(throws: DecodingError.self) { try decode(#"{"amount": true}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"amount": "1.2.3"}"#) }
    }

    @Test func registryKnowsEveryDocumentedAsset() throws {
        let expected: [String: Int] = ["BTC": 8, "BCH": 8, "LTC": 8, "ETH": 18, "POL": 18, "SOL": 9, "USDC_ETH": 6, "USDC_POL": 6,
                                       "USDC_SOL": 6, "USDC_BASE": 6, "USDT": 6, "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2,
                                       "JPY": 0, "CHF": 2, "CNY": 2, "INR": 2, "BRL": 2]
        for (code, decimals) in expected {
            #expect(AssetRegistry.asset(code)?.decimals == decimals, "\(code)")
        }
        #expect(AssetRegistry.asset("usdc_pol")?.code == "USDC_POL")
        #expect(AssetRegistry.fiatCurrency("BTC") == nil)
        #expect(AssetRegistry.asset("BTC")?.confirmations == 3)
        #expect(AssetRegistry.asset("POL")?.confirmations == 128)
    }
}
