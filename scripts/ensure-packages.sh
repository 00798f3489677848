#!/usr/bin/env bash
# Installs the Debian packages this project needs, if any is missing (chromium: the status page's
# browser test; wrk and curl: bench/operator-bench.sh; ffmpeg: the worker's polish stage and its
# end-to-end clip test). Idempotent and quiet when
# everything is there; `apt-get update` runs at most once, and only when something is missing.
set -euo pipefail

packages=(
    libgit2-dev libhiredis-dev libpq-dev libcurl4-openssl-dev pkg-config
    redis-server postgresql git ca-certificates
    chromium wrk curl ffmpeg
    "$@"
)

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
