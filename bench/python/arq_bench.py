"""An arq worker (asyncio, max_jobs concurrent) draining N no-op jobs from a throwaway Redis.

Usage: python3 arq_bench.py <redis-url> [jobs=10000] [max_jobs=8] [poll_delay_seconds=0.5]
Prints one JSON line: {"worker": "arq", "version": ..., "jobs": N, "seconds": s, "jobsPerSecond": r}.
Enqueueing is not timed; the worker's run from start to an empty queue (burst mode) is.
"""
import asyncio
import json
import logging
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arq  # noqa: E402
from arq import Worker, create_pool  # noqa: E402
from arq.connections import RedisSettings  # noqa: E402

import noop_jobs  # noqa: E402
from noop_jobs import arq_noop  # noqa: E402


async def run(url: str, jobs: int, max_jobs: int, poll_delay: float) -> dict:
    settings = RedisSettings.from_dsn(url)
    queue_name = f"bench-arq-{uuid.uuid4().hex[:6]}"
    pool = await create_pool(settings, default_queue_name=queue_name)
    for start in range(0, jobs, 500):
        await asyncio.gather(*(pool.enqueue_job("arq_noop", _queue_name=queue_name)
                               for _ in range(start, min(jobs, start + 500))))
    queued = await pool.zcard(queue_name)
    assert queued == jobs, queued
    worker = Worker(functions=[arq_noop], queue_name=queue_name, redis_pool=pool, burst=True, max_jobs=max_jobs,
                    handle_signals=False, keep_result=0, poll_delay=poll_delay)
    started = time.perf_counter()
    await worker.main()
    seconds = time.perf_counter() - started
    assert noop_jobs.calls == jobs, f"arq ran {noop_jobs.calls} of {jobs} jobs"
    await worker.close()
    return {"worker": "arq", "version": arq.VERSION, "jobs": jobs, "maxJobs": max_jobs, "pollDelay": poll_delay, "seconds": round(seconds, 3),
            "jobsPerSecond": round(jobs / seconds, 1)}


def main() -> None:
    logging.getLogger("arq").setLevel(logging.WARNING)
    url = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    max_jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    poll_delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    print(json.dumps(asyncio.run(run(url, jobs, max_jobs, poll_delay))))


if __name__ == "__main__":
    main()
