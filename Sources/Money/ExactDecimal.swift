/// An exact decimal number: `significand × 10^exponent`, parsed from text without ever passing
/// through binary floating point.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    public let significand: Int128
    public let exponent: Int

    public init(significand: Int128, exponent: Int) {
        self.significand = significand
        self.exponent = exponent
    }

    public init(_ integer: Int128) { self.init(significand: integer, exponent: 0) }

    /// Parses `123`, `-0.5`, `100.50`, `1e-3`, `2.5E+4`. Rejects empty input, whitespace, a leading `+`,
    /// `.5`/`5.` forms, hex, `inf`/`nan`, and more than 38 significant digits.
    public init(parsing text: String) throws(AmountError) {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { throw .malformed(text, "empty number") }
        guard bytes.count <= 200 else { throw .malformed(text, "number is too long") }
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawDot = false
        var index = bytes.startIndex
        var intDigits = 0
        while index < bytes.endIndex {
            let c = bytes[index]
            if c >= 48 && c <= 57 {
                digits.append(c - 48)
                if sawDot { fractionDigits += 1 } else { intDigits += 1 }
            } else if c == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                break
            }
            index += 1
        }
        guard intDigits > 0 else { throw .malformed(text, "expected a digit before any decimal point") }
        if sawDot && fractionDigits == 0 { throw .malformed(text, "expected a digit after the decimal point") }
        var exponent = -fractionDigits
        if index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else {
                throw .malformed(text, "unexpected character")
            }
            index += 1
            var expNegative = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var expValue = 0
            var expDigits = 0
            while index < bytes.endIndex, bytes[index] >= 48, bytes[index] <= 57 {
                expValue = expValue * 10 + Int(bytes[index] - 48)
                expDigits += 1
                guard expValue <= 400 else { throw .malformed(text, "exponent out of range") }
                index += 1
            }
            guard expDigits > 0, index == bytes.endIndex else { throw .malformed(text, "malformed exponent") }
            exponent += expNegative ? -expValue : expValue
        }
        // Drop leading zeros, then trailing zeros (moving them into the exponent), so precision limits
        // apply to significant digits only.
        var start = 0
        while start < digits.count - 1 && digits[start] == 0 { start += 1 }
        var end = digits.count
        while end - 1 > start && digits[end - 1] == 0 { end -= 1; exponent += 1 }
        let significant = digits[start..<end]
        guard significant.count <= 38 else { throw .malformed(text, "more than 38 significant digits") }
        var value: Int128 = 0
        for d in significant { value = value * 10 + Int128(d) }
        if value == 0 { exponent = 0 }
        self.significand = negative ? -value : value
        self.exponent = exponent
    }

    public var isNegative: Bool { significand < 0 }
    public var isZero: Bool { significand == 0 }

    /// Number of digits after the decimal point needed to write this value exactly.
    public var scale: Int { max(0, -exponent) }

    /// Exact plain-decimal text (no exponent): `0.001`, `1500`, `-2.5`.
    public var description: String {
        let magnitude = significand.magnitude
        var digits = String(magnitude)
        if exponent >= 0 {
            if magnitude != 0 { digits += String(repeating: "0", count: exponent) }
        } else {
            let places = -exponent
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        }
        return (significand < 0 ? "-" : "") + digits
    }

    /// This value in units of `10^-decimals`, rounded as asked. Throws if the result does not fit.
    public func scaled(toDecimals decimals: Int, rounding: RoundingRule) throws(AmountError) -> Int128 {
        let shift = exponent + decimals
        if shift >= 0 {
            return try Int128.checkedMultiply(significand, try Int128.pow10(shift))
        }
        let divisor = try Int128.pow10(-shift)
        return rounding.divide(significand, by: divisor)
    }
}

/// How to round when a value has more precision than the target unit.
public enum RoundingRule: String, Sendable, CaseIterable, Codable {
    /// Reject any loss of precision.
    case exact
    /// Toward zero.
    case down
    /// Away from zero.
    case up
    /// Toward negative infinity.
    case floor
    /// Toward positive infinity.
    case ceiling
    /// To nearest, ties away from zero.
    case halfUp
    /// To nearest, ties to even (banker's rounding).
    case halfEven

    /// `numerator / divisor` rounded by this rule (`divisor > 0`). `.exact` behaves as `.down`;
    /// callers that need exactness check the remainder first (see `Amount.parse`).
    public func divide(_ numerator: Int128, by divisor: Int128) -> Int128 {
        precondition(divisor > 0, "divisor must be positive")
        let (q, r) = numerator.quotientAndRemainder(dividingBy: divisor)
        if r == 0 { return q }
        let away: Int128 = numerator < 0 ? q - 1 : q + 1
        switch self {
        case .exact, .down: return q
        case .up: return away
        case .floor: return numerator < 0 ? q - 1 : q
        case .ceiling: return numerator < 0 ? q : q + 1
        case .halfUp, .halfEven:
            let twice = r.magnitude * 2
            if twice > divisor.magnitude { return away }
            if twice < divisor.magnitude { return q }
            if self == .halfUp { return away }
            return q % 2 == 0 ? q : away
        }
    }
}

extension Int128 {
    static func pow10(_ n: Int) throws(AmountError) -> Int128 {
        guard n >= 0, n <= 38 else { throw .overflow }
        var value: Int128 = 1
        for _ in 0..<n { value *= 10 }
        return value
    }

    static func checkedMultiply(_ a: Int128, _ b: Int128) throws(AmountError) -> Int128 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw .overflow }
        return product
    }

    static func checkedAdd(_ a: Int128, _ b: Int128) throws(AmountError) -> Int128 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .overflow }
        return sum
    }
}
