import AsyncPrimitives
import Testing

@Suite struct DoorbellTests {
    @Test func waitTimesOutWithoutARing() async {
        let bell = Doorbell()
        let rang = await bell.wait(upTo: .milliseconds(20))
        #expect(rang == false)
    }

    @Test func ringBeforeWaitIsRememberedOnce() async {
        let bell = Doorbell()
        bell.ring()
        bell.ring()
        #expect(await bell.wait(upTo: .seconds(5)) == true)
        // The two rings were coalesced into one: the next wait times out.
        #expect(await bell.wait(upTo: .milliseconds(20)) == false)
    }

    @Test func ringWakesAWaiterEarly() async {
        let bell = Doorbell()
        async let woke = bell.wait(upTo: .seconds(30))
        try? await Task.sleep(for: .milliseconds(20))
        bell.ring()
        #expect(await woke == true)
    }

    @Test func cancellationEndsTheWait() async {
        let bell = Doorbell()
        let task = Task { await bell.wait(upTo: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(await task.value == false)
    }
}
