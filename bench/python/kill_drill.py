"""The large kill -9 drill: the real clipnet-worker binary over N clipbot:notify jobs, SIGKILLed at
random moments many times and restarted, then one survivor drains the queue. At the end every job
id must have completed at least once (a POST reached the loopback Clipbot stand-in) or sit in the
dead set; none may be lost. Reports how many ran more than once.

Usage: python3 kill_drill.py <clipnet-worker> <redis-url> [jobs=20000] [kills=60] [min_ms=150] [max_ms=1200] [seed]
Prints a JSON summary line last; exits 1 when a job was lost.
Enqueueing is plain LPUSH of the documented envelope (docs/queue-protocol.md), as any producer does.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from redis import Redis

completions: Counter = Counter()
lock = threading.Lock()


class Clipbot(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            job_id = json.loads(body).get("jobId")
        except ValueError:
            job_id = None
        if job_id:
            with lock:
                completions[job_id] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a worker killed in the middle of a request leaves a broken connection: expected here


def fingerprint(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def outstanding(redis: Redis, prefix: str) -> int:
    total = redis.llen(prefix + "queue") + redis.zcard(prefix + "retry") + redis.zcard(prefix + "delayed")
    for key in redis.scan_iter(match=prefix + "inflight:*", count=1000):
        total += redis.llen(key)
    return total


def main() -> None:
    worker, url = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    kills = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    min_ms = int(sys.argv[5]) if len(sys.argv) > 5 else 150
    max_ms = int(sys.argv[6]) if len(sys.argv) > 6 else 1200
    seed = int(sys.argv[7]) if len(sys.argv) > 7 else random.randrange(1 << 30)
    rng = random.Random(seed)

    server = QuietServer(("127.0.0.1", 0), Clipbot)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    environment = f"drill{uuid.uuid4().hex[:8]}"
    prefix = f"clipnet:{environment}:"
    redis = Redis.from_url(url)
    ids = [f"drill-{i}" for i in range(jobs)]
    now = int(time.time() * 1000)
    pipe = redis.pipeline(transaction=False)
    for start in range(0, jobs, 1000):
        envelopes = [json.dumps({"id": job_id, "type": "clipbot:notify", "payload": {"message": "drill"}, "enqueuedAt": now})
                     for job_id in ids[start:start + 1000]]
        pipe.lpush(prefix + "queue", *envelopes)
    pipe.execute()

    production = {"format": "clipnet.isolation-fingerprints/v1", "environment": "production", "entries": [
        {"resource": "redis", "fingerprint": fingerprint("redis://prod-redis.clipnet.internal:6379/0")},
        {"resource": "cloudinaryFolder", "fingerprint": fingerprint("prod_clips/")},
    ]}
    env = dict(os.environ, CLIPNET_ENVIRONMENT=environment, REDIS_URL=url, CLOUDINARY_FOLDER=f"{environment}_clips/",
               RUNPOD_NAMESPACE=f"{environment}-ns", CLIPNET_PRODUCTION_FINGERPRINTS=json.dumps(production),
               CLIPNET_VERSION="kill-drill", RUNPOD_ENDPOINT_ID="kill-drill-unused", CLIPBOT_NOTIFY_URL=f"http://127.0.0.1:{server.server_address[1]}/notify")
    arguments = [worker, "run", "--concurrency", "8", "--metrics-port", "0", "--heartbeat-ttl-seconds", "1",
                 "--log-level", "error", "--job-type", "clipbot:notify"]

    started = time.monotonic()
    killed_with_work_left = 0
    for _ in range(kills):
        child = subprocess.Popen(arguments, env=env, stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(min_ms, max_ms) / 1000)
        left = outstanding(redis, prefix)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if left:
            killed_with_work_left += 1
    survivor = subprocess.Popen(arguments, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while outstanding(redis, prefix) and time.monotonic() < deadline:
        time.sleep(0.1)
    drained = outstanding(redis, prefix) == 0
    survivor.send_signal(signal.SIGTERM)
    survivor_status = survivor.wait(timeout=60)
    elapsed = time.monotonic() - started
    server.shutdown()

    dead_entries = [json.loads(member) for member in redis.zrange(prefix + "dead", 0, -1)]
    dead_ids = {entry.get("id") for entry in dead_entries}
    with lock:
        counts = dict(completions)
    lost = [job_id for job_id in ids if job_id not in counts and job_id not in dead_ids]
    more_than_once = sum(1 for job_id in ids if counts.get(job_id, 0) > 1)
    summary = {
        "jobs": jobs, "kills": kills, "killsWithWorkLeft": killed_with_work_left, "seed": seed,
        "completed": sum(1 for job_id in ids if job_id in counts), "dead": len(dead_ids),
        "deadReasons": dict(Counter(entry.get("reason") for entry in dead_entries)),
        "lost": len(lost), "ranMoreThanOnce": more_than_once, "maxRuns": max(counts.values(), default=0),
        "deliveries": sum(counts.values()), "drained": drained, "survivorExit": survivor_status,
        "seconds": round(elapsed, 1),
    }
    redis.delete(*([prefix + name for name in ("queue", "retry", "delayed", "dead", "leases")]
                   + list(redis.scan_iter(match=prefix + "done:*"))))
    if lost:
        print("lost, for example:", lost[:10], file=sys.stderr)
    print(json.dumps(summary))
    sys.exit(0 if not lost and drained and survivor_status == 0 else 1)


if __name__ == "__main__":
    main()
