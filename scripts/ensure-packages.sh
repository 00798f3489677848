#!/usr/bin/env bash
# Installs the Debian packages a make target needs, if any is missing. Idempotent and quiet when
# everything is there; `apt-get update` runs at most once, and only when something is missing.
#
# Usage: ensure-packages.sh build|run|test|bench|dist
#   build: the C libraries the Swift modules link (libgit2, hiredis, libpq, libcurl) and git;
#   run:   build, plus redis-server (the demo's worker heartbeats);
#   test:  run, plus postgresql (throwaway servers), chromium (the status page's browser test),
#          ffmpeg (the worker's polish stage and its end-to-end clip), curl, binutils (nm: the product
#          binary links no test machinery) and systemd (the packaging test's systemd-analyze verify);
#   bench: test, plus wrk (bench/operator-bench.sh);
#   dist:  build, plus systemd (systemd-analyze verify of the units) and binutils (strip).
set -euo pipefail

profile="${1:-test}"
build=(libgit2-dev libhiredis-dev libpq-dev libcurl4-openssl-dev pkg-config git ca-certificates)
run=("${build[@]}" redis-server)
test=("${run[@]}" postgresql chromium ffmpeg curl binutils systemd)
bench=("${test[@]}" wrk)
dist=("${build[@]}" systemd binutils)
case "$profile" in
    build) packages=("${build[@]}") ;;
    run) packages=("${run[@]}") ;;
    test) packages=("${test[@]}") ;;
    bench) packages=("${bench[@]}") ;;
    dist) packages=("${dist[@]}") ;;
    *) echo "ensure-packages: unknown profile '$profile' (build, run, test, bench or dist)" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "ensure-packages: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
