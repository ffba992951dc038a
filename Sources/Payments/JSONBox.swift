import Foundation
import RailyardCrypto

/// Carries a free-form JSON value (merchant metadata) through Codable. Numbers pass through
/// `Decimal`'s exact text, never a float.
struct JSONBox: Codable, Sendable, Equatable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONBox.self).value) }
            value = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var items: [String: JSONValue] = [:]
            for key in object.allKeys { items[key.stringValue] = try object.decode(JSONBox.self, forKey: key).value }
            value = .object(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { value = .null }
        else if let bool = try? single.decode(Bool.self) { value = .bool(bool) }
        else if let text = try? single.decode(String.self) { value = .string(text) }
        else if let number = try? single.decode(Decimal.self) { value = .number("\(number)") }
        else { throw DecodingError.dataCorruptedError(in: single, debugDescription: "unsupported JSON value") }
    }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .number(let text):
            var single = encoder.singleValueContainer()
            try single.encode(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0)
        case .string(let text):
            var single = encoder.singleValueContainer()
            try single.encode(text)
        case .array(let items):
            var array = encoder.unkeyedContainer()
            for item in items { try array.encode(JSONBox(item)) }
        case .object(let items):
            var object = encoder.container(keyedBy: AnyKey.self)
            for (key, item) in items { try object.encode(JSONBox(item), forKey: AnyKey(key)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
