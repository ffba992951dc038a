import Foundation

/// Why an amount could not be parsed, converted or computed.
public enum AmountError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String, String)
    case tooPrecise(String, decimals: Int)
    case negative(String)
    case overflow
    case divisionByZero

    public var description: String {
        switch self {
        case .malformed(let text, let why): return "'\(text)' is not a valid decimal amount: \(why)"
        case .tooPrecise(let text, let decimals):
            return "'\(text)' has more than \(decimals) decimal place\(decimals == 1 ? "" : "s")"
        case .negative(let text): return "'\(text)' must not be negative"
        case .overflow: return "amount is out of range"
        case .divisionByZero: return "division by zero"
        }
    }
}

/// An exact count of an asset's smallest unit. 128 bits hold every supported asset's whole supply
/// (all ETH in existence is about 1.2e26 wei; the limit is 1.7e38), and every operation that could
/// leave that range throws instead of wrapping.
public struct Amount: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let minorUnits: Int128

    public init(minorUnits: Int128) { self.minorUnits = minorUnits }

    public static let zero = Amount(minorUnits: 0)

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.minorUnits < rhs.minorUnits }

    public var description: String { String(minorUnits) }
    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }

    /// Parses decimal text in whole units ("100.5" USD → 10050 cents). By default any digit below the
    /// asset's smallest unit is an error rather than silently dropped.
    public static func parse(_ text: String, decimals: Int, rounding: RoundingRule = .exact) throws(AmountError) -> Amount {
        let value = try ExactDecimal(parsing: text)
        return try Amount(value, decimals: decimals, rounding: rounding, original: text)
    }

    public init(_ value: ExactDecimal, decimals: Int, rounding: RoundingRule = .exact) throws(AmountError) {
        try self.init(value, decimals: decimals, rounding: rounding, original: value.description)
    }

    private init(_ value: ExactDecimal, decimals: Int, rounding: RoundingRule, original: String) throws(AmountError) {
        if rounding == .exact && value.scale > decimals { throw .tooPrecise(original, decimals: decimals) }
        self.minorUnits = try value.scaled(toDecimals: decimals, rounding: rounding)
    }

    /// Parses an integer count of minor units ("1500000000000000000" wei).
    public static func parseMinorUnits(_ text: String) throws(AmountError) -> Amount {
        guard !text.isEmpty, text.utf8.count <= 40 else { throw .malformed(text, "expected an integer") }
        guard let value = Int128(text) else { throw .malformed(text, "expected an integer") }
        return Amount(minorUnits: value)
    }

    /// Exact decimal text in whole units with all `decimals` places: 10050 cents → "100.50".
    public func formatted(decimals: Int) -> String {
        ExactDecimal(significand: minorUnits, exponent: -decimals).fixed(places: decimals)
    }

    /// Exact decimal text with trailing zeros removed: 50000000 sat → "0.5".
    public func formattedTrimmed(decimals: Int) -> String {
        var significand = minorUnits
        var exponent = -decimals
        while significand != 0 && significand % 10 == 0 && exponent < 0 { significand /= 10; exponent += 1 }
        return ExactDecimal(significand: significand, exponent: exponent).description
    }

    /// As an exact decimal in whole units.
    public func decimal(decimals: Int) -> ExactDecimal { ExactDecimal(significand: minorUnits, exponent: -decimals) }

    public func adding(_ other: Amount) throws(AmountError) -> Amount {
        Amount(minorUnits: try Int128.checkedAdd(minorUnits, other.minorUnits))
    }

    public func subtracting(_ other: Amount) throws(AmountError) -> Amount {
        let (value, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        if overflow { throw .overflow }
        return Amount(minorUnits: value)
    }

    /// `self × numerator / denominator`, rounded by `rounding` (for fees expressed in basis points,
    /// splits, and so on).
    public func multiplied(by numerator: Int128, dividedBy denominator: Int128, rounding: RoundingRule) throws(AmountError) -> Amount {
        guard denominator != 0 else { throw .divisionByZero }
        let product = try Int128.checkedMultiply(minorUnits, numerator)
        let sign: Int128 = denominator < 0 ? -1 : 1
        return Amount(minorUnits: rounding.divide(product * sign, by: denominator * sign))
    }

    /// Converts between assets: `self` (in `fromDecimals` minor units) × `rate` (target whole units
    /// per source whole unit), into `toDecimals` minor units.
    public func converted(fromDecimals: Int, rate: ExactDecimal, toDecimals: Int, rounding: RoundingRule) throws(AmountError) -> Amount {
        let shift = rate.exponent + toDecimals - fromDecimals
        let product = try Int128.checkedMultiply(minorUnits, rate.significand)
        if shift >= 0 {
            return Amount(minorUnits: try Int128.checkedMultiply(product, try Int128.pow10(shift)))
        }
        return Amount(minorUnits: rounding.divide(product, by: try Int128.pow10(-shift)))
    }

    /// Converts by dividing by a price: `self` (source minor units) ÷ `price` (source whole units per
    /// target whole unit) → target minor units. USD cents ÷ USD-per-BTC → satoshi.
    public func converted(fromDecimals: Int, dividingBy price: ExactDecimal, toDecimals: Int, rounding: RoundingRule) throws(AmountError) -> Amount {
        guard price.significand != 0 else { throw .divisionByZero }
        let shift = toDecimals - fromDecimals - price.exponent
        var numerator = minorUnits
        var denominator = price.significand
        if shift >= 0 {
            numerator = try Int128.checkedMultiply(numerator, try Int128.pow10(shift))
        } else {
            denominator = try Int128.checkedMultiply(denominator, try Int128.pow10(-shift))
        }
        if denominator < 0 { numerator = -numerator; denominator = -denominator }
        return Amount(minorUnits: rounding.divide(numerator, by: denominator))
    }
}

extension ExactDecimal {
    /// Plain text with exactly `places` fraction digits (value must already fit that scale).
    public func fixed(places: Int) -> String {
        let magnitude = significand.magnitude
        let shift = exponent + places
        var digits = String(magnitude)
        if magnitude != 0 && shift > 0 { digits += String(repeating: "0", count: shift) }
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        }
        return (significand < 0 ? "-" : "") + digits
    }
}

/// A money value as it appears in JSON: a number (`100.5`) or a string (`"100.5"`), kept as exact
/// decimal text. JSON numbers are read through `Decimal`'s text parser, never through `Double`.
public struct DecimalInput: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: ExactDecimal

    public init(_ value: ExactDecimal) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let decimal = try? container.decode(Foundation.Decimal.self) {
            text = "\(decimal)"
        } else {
            throw DecodingError.typeMismatch(
                ExactDecimal.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a decimal number or a numeric string")
            )
        }
        do {
            value = try ExactDecimal(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value.description)
    }

    public var description: String { value.description }
}
