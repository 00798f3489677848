#!/usr/bin/env bash
# Prints the rows of docs/deploying.md's library table for one binary: every shared library ldd
# finds (the Swift toolchain's own left out: a debug build's), the Debian package that ships it,
# and whether the binary names it itself (NEEDED) or it comes with another library.
# Usage: scripts/ldd-table.sh PATH-TO-BINARY
set -euo pipefail
binary="$1"
needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
ldd "$binary" | while read -r name arrow path _; do
    case "$name" in linux-vdso*) continue ;; esac
    if [ "$arrow" != "=>" ]; then path="$name"; fi
    case "$path" in */lib/swift/linux/*) continue ;; esac
    name="$(basename "$name")"
    package=""
    for candidate in "$path" "$(readlink -f "$path")" "/usr$path" "${path#/usr}"; do
        package="$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1)" && [ -n "$package" ] && break
    done
    if grep -qx "$name" <<<"$needed"; then how="the binary"; else how="a library above"; fi
    echo "| \`$name\` | ${package:-?} | $how |"
done
