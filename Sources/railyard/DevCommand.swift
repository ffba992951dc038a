import AsyncHTTPClient
import ArgumentParser
import Foundation
import NIOCore

/// `railyard dev …`: cheat mode against the devnet chains of a running server, through its dev API.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Devnet cheat mode: pay, mine, reorg on a running server's simulated chains.",
        subcommands: [Pay.self, Mine.self, Reorg.self]
    )

    struct ServerOptions: ParsableArguments {
        @Option(help: "The running Railyard server.") var server = "http://127.0.0.1:8080"
        @Option(help: "Dev token (RAILYARD_DEV_TOKEN on the server) for non-loopback servers.") var token: String?
        @Option(help: "Chain: BTC, BCH, LTC, ETH, POL, BASE or SOL.") var chain: String
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a payment to an address (it waits in the mempool until mined).")
        @OptionGroup var options: ServerOptions
        @Option(help: "Destination address.") var to: String
        @Option(help: "Amount in display units, e.g. 0.5 (ETH).") var amount: String
        @Option(help: "Asset when not the chain's native coin, e.g. USDC_POL.") var asset: String?

        func run() async throws {
            var body: [String: String] = ["chain": options.chain, "to": to, "amount": amount]
            if let asset { body["asset"] = asset }
            let answer = try await post(options, "/api/dev/pay", body)
            print("paid \(amount) \(answer["asset"] as? String ?? "") to \(to): txid \(answer["txid"] as? String ?? "?") (unconfirmed; run `railyard dev mine --chain \(options.chain)`)")
        }
    }

    struct Mine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mine blocks.")
        @OptionGroup var options: ServerOptions
        @Option(help: "How many blocks.") var blocks = 1

        func run() async throws {
            let answer = try await post(options, "/api/dev/mine", ["chain": options.chain, "blocks": blocks])
            print("mined \(blocks) block(s) on \(options.chain.uppercased()); tip is now \(answer["height"] as? Int ?? -1)")
        }
    }

    struct Reorg: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the top blocks with a longer fork (their transactions return to the mempool first).")
        @OptionGroup var options: ServerOptions
        @Option(help: "How many blocks to orphan.") var depth: Int
        @Flag(help: "Only orphan the blocks; don't mine a replacement fork.") var noRemine = false

        func run() async throws {
            let answer = try await post(options, "/api/dev/reorg", ["chain": options.chain, "depth": depth, "remine": !noRemine])
            print("reorganised \(depth) block(s) on \(options.chain.uppercased()); tip is now \(answer["height"] as? Int ?? -1)")
        }
    }
}

struct DevAPIError: Error, CustomStringConvertible { let description: String }

/// POSTs JSON to the dev API and returns the decoded answer, or throws the server's error message.
func post(_ options: DevCommand.ServerOptions, _ path: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
    var request = HTTPClientRequest(url: options.server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    if let token = options.token { request.headers.add(name: "X-Railyard-Dev-Token", value: token) }
    request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    let response: HTTPClientResponse
    do {
        response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    } catch {
        throw DevAPIError(description: "cannot reach \(options.server): \(error)")
    }
    let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
    let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    guard (200..<300).contains(Int(response.status.code)) else {
        throw DevAPIError(description: "server answered \(response.status.code): \(answer["error"] as? String ?? String(decoding: data, as: UTF8.self))")
    }
    return answer
}
