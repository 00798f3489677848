"""RQ's SimpleWorker (no fork per job) draining N no-op jobs from a throwaway Redis.

Usage: python3 rq_bench.py <redis-url> [jobs=2000]
Prints one JSON line: {"worker": "rq", "version": ..., "jobs": N, "seconds": s, "jobsPerSecond": r}.
Enqueueing is not timed; the worker's run from start to an empty queue (burst mode) is.
"""
import json
import logging
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rq  # noqa: E402
from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402

import noop_jobs  # noqa: E402


def main() -> None:
    url = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    connection = Redis.from_url(url)
    queue = Queue(f"bench-rq-{uuid.uuid4().hex[:6]}", connection=connection)
    for start in range(0, jobs, 1000):
        count = min(1000, jobs - start)
        queue.enqueue_many([Queue.prepare_data("noop_jobs.noop", result_ttl=0) for _ in range(count)])
    assert queue.count == jobs, queue.count
    worker = SimpleWorker([queue], connection=connection)
    logging.getLogger("rq.worker").setLevel(logging.WARNING)
    started = time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    seconds = time.perf_counter() - started
    done = noop_jobs.calls
    assert done == jobs, f"RQ ran {done} of {jobs} jobs"
    print(json.dumps({"worker": "rq", "version": rq.__version__, "jobs": jobs, "seconds": round(seconds, 3),
                      "jobsPerSecond": round(jobs / seconds, 1)}))


if __name__ == "__main__":
    main()
