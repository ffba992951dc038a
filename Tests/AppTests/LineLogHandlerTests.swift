import App
import Logging
import Synchronization
import Testing

/// Log lines keep swift-log's StreamLogHandler format (scripts and operators read them), with the
/// logger's metadata, the line's own and an error merged and sorted; lines below the level are not written.
@Suite struct LineLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func writesStreamLogHandlerFormatWithMergedSortedMetadata() throws {
        let captured = Lines()
        var logger = Logger(label: "railyard") { LineLogHandler(label: $0, sink: captured.append) }
        logger.logLevel = .notice
        logger[metadataKey: "request_id"] = "r1"
        logger[metadataKey: "principal"] = "k:key_1"
        logger.info("not written at notice")
        logger.notice("listening", metadata: ["port": "8080", "request_id": "r2"], source: "App")
        struct Broken: Error {}
        logger.error("failed", error: Broken(), source: "Chains")
        let lines = captured.all
        try #require(lines.count == 2)
        // `<time> notice railyard: k=v … [source] message`, the line's own value overriding the logger's.
        let first = try #require(lines.first)
        #expect(first.hasSuffix(" notice railyard: port=8080 principal=k:key_1 request_id=r2 [App] listening\n"), "\(first)")
        #expect(first.split(separator: " ").first?.count == "2026-12-01T21:40:35+0000".count)
        #expect(lines[1].contains(" error railyard: error.message=Broken() error.type=") && lines[1].hasSuffix(" principal=k:key_1 request_id=r1 [Chains] failed\n"), "\(lines[1])")
    }
}
