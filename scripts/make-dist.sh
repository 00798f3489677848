#!/usr/bin/env bash
# Packs `reconciler` and `clipnet-worker` with the systemd units, the example configuration, the
# manifests' schema and the docs into a versioned tarball (docs/deploying.md).
#
# Usage: make-dist.sh            release build, Swift runtime linked statically
#                                (--static-swift-stdlib), the commit stamped into --version;
#                                writes .build/dist/clipnet-<version>-linux-<arch>.tar.gz
#        make-dist.sh --debug [--bin-dir DIR]
#                                packs the debug binaries already built (default: the debug bin
#                                folder) into the same layout, unstamped and without building;
#                                writes .build/dist-debug/clipnet-<version>-debug-linux-<arch>.tar.gz
#                                (what the packaging test uses when no release tarball exists)
# Prints the tarball's path on its last line.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SWIFT="${SWIFT:-swift}"
mode=release
bin_dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --debug) mode=debug ;;
        --bin-dir) bin_dir="$2"; shift ;;
        *) echo "make-dist: unknown argument '$1' (--debug, --bin-dir DIR)" >&2; exit 2 ;;
    esac
    shift
done

version="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/ClipnetConfig/ClipnetVersion.swift)"
[ -n "$version" ] || { echo "make-dist: no version in Sources/ClipnetConfig/ClipnetVersion.swift" >&2; exit 1; }
arch="$(uname -m)"

if [ "$mode" = release ]; then
    # The commit, with -dirty when tracked files differ from it; unknown outside a git checkout.
    commit=""
    if git rev-parse --git-dir >/dev/null 2>&1; then
        commit="$(git rev-parse --short=12 HEAD)"
        if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit-dirty"; fi
    fi
    # Stamp BuildCommit.swift for this build only; the committed default comes back on any exit,
    # with its inode and time, so the debug build does not see a change.
    stamp="Sources/ClipnetConfig/BuildCommit.swift"
    backup="$(mktemp)"
    cp -p "$stamp" "$backup"
    restore() { cat "$backup" > "$stamp"; touch -r "$backup" "$stamp"; rm -f "$backup"; }
    trap restore EXIT
    if [ -n "$commit" ]; then
        printf '// Stamped by scripts/make-dist.sh for a release build; restored afterwards.\nenum BuildCommit {\n    static let id: String? = "%s"\n}\n' "$commit" > "$stamp"
    fi
    for product in reconciler clipnet-worker; do
        "$SWIFT" build -c release --static-swift-stdlib --product "$product"
    done
    bin_dir="$("$SWIFT" build -c release --show-bin-path)"
    restore
    trap - EXIT
    described="$version (commit ${commit:-unknown})"
    name="clipnet-$version-linux-$arch"
    out="$root/.build/dist"
else
    if [ -z "$bin_dir" ]; then bin_dir="$("$SWIFT" build --show-bin-path)"; fi
    described="$version (commit unknown)"
    name="clipnet-$version-debug-linux-$arch"
    out="$root/.build/dist-debug"
fi

for product in reconciler clipnet-worker; do
    [ -x "$bin_dir/$product" ] || { echo "make-dist: $bin_dir/$product is missing: build it first (make build)" >&2; exit 1; }
done

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
top="$staging/$name"
mkdir -p "$top/bin" "$top/lib/systemd/system" "$top/etc/reconciler" "$top/etc/clipnet-worker" \
    "$top/share/clipnet/deploy" "$top/share/doc/clipnet"
for product in reconciler clipnet-worker; do
    install -m 0755 "$bin_dir/$product" "$top/bin/$product"
    # Debug information only: the symbols stay, so backtraces still name functions.
    if [ "$mode" = release ] && command -v strip >/dev/null; then strip --strip-debug "$top/bin/$product"; fi
done
install -m 0644 dist/systemd/reconciler.service dist/systemd/clipnet-worker.service "$top/lib/systemd/system/"
install -m 0644 dist/etc/reconciler.yaml "$top/etc/reconciler/reconciler.yaml"
install -m 0644 dist/etc/daemon.env.example "$top/etc/reconciler/daemon.env.example"
install -m 0644 dist/etc/worker.env.example "$top/etc/clipnet-worker/worker.env.example"
install -m 0644 docs/manifest.schema.json "$top/share/clipnet/manifest.schema.json"
install -m 0644 deploy/base.yaml deploy/staging.yaml deploy/production.yaml "$top/share/clipnet/deploy/"
install -m 0644 docs/*.md docs/openapi.yaml deploy/RUNBOOK.md README.md "$top/share/doc/clipnet/"
printf '%s\n' "$described" > "$top/VERSION"

mkdir -p "$out"
tarball="$out/$name.tar.gz"
rm -f "$tarball"
tar -C "$staging" --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name"
echo "$tarball"
