"""The no-op job both Python workers run: the queue is under test, not the job's work. Each call
is counted (both workers run jobs in the benchmark's own process), so a run can be checked
to have run every job."""

calls = 0


def noop():
    global calls
    calls += 1


async def arq_noop(ctx):
    global calls
    calls += 1
