import Foundation
import Storage
import Testing

/// Background loops wait on a `Wakeup` between passes: a signal must end the wait at once (sent
/// before or during it), the interval must still end it without one, and shutdown must not wait
/// for the interval.
@Suite("Wakeup")
struct WakeupTests {
    @Test func aSignalSentBeforeTheWaitIsNotLost() async throws {
        let wakeup = Wakeup()
        wakeup.signal()
        let started = ContinuousClock.now
        try await wakeup.wait(upTo: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(1))
        // Consumed: the next wait runs to its interval.
        let again = ContinuousClock.now
        try await wakeup.wait(upTo: .milliseconds(200))
        #expect(ContinuousClock.now - again >= .milliseconds(200))
    }

    @Test func aSignalEndsAWaitInProgress() async throws {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        async let waited: Void = wakeup.wait(upTo: .seconds(30))
        try await Task.sleep(for: .milliseconds(100))
        wakeup.signal()
        try await waited
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(100) && elapsed < .seconds(5))
    }

    @Test func everyWaiterIsWokenBySignal() async throws {
        let wakeup = Wakeup()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await wakeup.wait(upTo: .seconds(30)) } }
            try await Task.sleep(for: .milliseconds(100))
            wakeup.signal()
            let started = ContinuousClock.now
            try await group.waitForAll()
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func cancellationEndsTheWaitWithAnError() async throws {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        let task = Task { try await wakeup.wait(upTo: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        // A wait that ended by its interval or cancellation leaves no signal behind.
        let again = ContinuousClock.now
        try await wakeup.wait(upTo: .milliseconds(100))
        #expect(ContinuousClock.now - again >= .milliseconds(100))
    }
}
