#!/usr/bin/env python3
"""Idle resident memory of the real daemon beside the bare servers, in one run (docs/benchmarks.md,
"Idle memory of the real daemon").

A sandbox staging (the emulators, in a process of their own: `ReconcilerBench sandbox`) is started,
the release `reconciler run` reconciles it until the first revision is known-good, then the daemon,
a bare Hummingbird server with /metrics and the same bare server linking libgit2, libcurl and libpq
idle together; their VmRSS is read at the same moment. Usage:
    python3 bench/daemon-idle-memory.py [--idle SECONDS] [--bin DIR] [--bench-bin DIR] [--sandbox-bin DIR]
from the repository root (`--bin`: where the release `reconciler` is, `swift build -c release`;
`--bench-bin`: where the release `BareMetricsServer` and `BareServerWithCLibraries` are,
`swift build --package-path bench -c release`; `--sandbox-bin`: where `ReconcilerBench` is, any
configuration of the bench package.)
"""
import argparse, json, os, signal, socket, subprocess, sys, tempfile, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--idle", type=int, default=15)
parser.add_argument("--bin", default=".build/release")
parser.add_argument("--bench-bin", default="bench/.build/release")
parser.add_argument("--sandbox-bin", default="bench/.build/release")
args = parser.parse_args()

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")

def get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read()

children = []
def start(command, **kwargs):
    child = subprocess.Popen(command, **kwargs)
    children.append(child)
    return child

try:
    sandbox = start([os.path.join(args.sandbox_bin, "ReconcilerBench"), "sandbox", "deploy"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    described = json.loads(sandbox.stdout.readline())
    work = tempfile.mkdtemp(prefix="idle-memory-")
    port = free_port()
    config = os.path.join(work, "reconciler.yaml")
    with open(config, "w") as f:
        f.write(f"""environment: staging
repository:
  url: {described['repository']}
  branch: develop
state: file:{work}/state/
listen: 127.0.0.1:{port}
reconcile:
  workerVersionSource: platform
""")
    environment = dict(os.environ, **described["environment"], LOG_LEVEL="warning", RECONCILER_TOKEN="idle-memory-token")
    daemon = start([os.path.join(args.bin, "reconciler"), "run", "--config", config], env=environment,
                   stdout=subprocess.DEVNULL)
    deadline = time.time() + 120
    while True:
        try:
            status = json.loads(get(f"http://127.0.0.1:{port}/status"))
            if status.get("knownGood"):
                break
        except Exception:
            pass
        if time.time() > deadline or daemon.poll() is not None:
            sys.exit("the daemon did not roll the sandbox out")
        time.sleep(0.2)

    bare_port, clibs_port = free_port(), free_port()
    bare = start([os.path.join(args.bench_bin, "BareMetricsServer"), str(bare_port)], stdout=subprocess.DEVNULL)
    clibs = start([os.path.join(args.bench_bin, "BareServerWithCLibraries"), str(clibs_port)], stdout=subprocess.DEVNULL)
    time.sleep(1)
    for url in [f"http://127.0.0.1:{port}/status", f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/metrics",
                f"http://127.0.0.1:{bare_port}/metrics", f"http://127.0.0.1:{clibs_port}/metrics"]:
        for _ in range(5):
            get(url)
    time.sleep(args.idle)
    figures = {"daemon": rss_kib(daemon.pid), "bare": rss_kib(bare.pid), "clibs": rss_kib(clibs.pid)}
    mib = {name: kib / 1024 for name, kib in figures.items()}
    print(f"idle RSS after {args.idle} s: reconciler run {mib['daemon']:.1f} MiB, bare {mib['bare']:.1f} MiB, "
          f"bare + C libraries {mib['clibs']:.1f} MiB")
    print(f"ratio daemon / bare {figures['daemon'] / figures['bare']:.2f}x; "
          f"bare + C libraries / bare {figures['clibs'] / figures['bare']:.2f}x; "
          f"daemon / (bare + C libraries) {figures['daemon'] / figures['clibs']:.2f}x")
finally:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
