import AsyncPrimitives
import Testing

@Suite struct BackoffTests {
    @Test func delaysGrowExponentiallyUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(200))
        #expect(backoff.delay(afterFailures: 4) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 5) == .seconds(1))
        #expect(backoff.delay(afterFailures: 500) == .seconds(1))
    }

    @Test func jitterStaysWithinItsFraction() {
        let backoff = Backoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 2, jitter: 0.25)
        for _ in 0..<200 {
            let seconds = backoff.delay(afterFailures: 2).seconds
            #expect(seconds >= 1.5 && seconds <= 2.5)
        }
    }

    @Test func blockingQueueRunsWorkOffTheCallerAndReturnsItsResult() async throws {
        let queue = SerialBlockingQueue(label: "test.blocking")
        let value = try await queue.run { 6 * 7 }
        #expect(value == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await queue.run { throw Boom() } }
    }
}
