# `reconciler` in a container, for Railway or any container host (docs/deploying.md, "Containers").
# Not exercised by CI: no container engine runs there. The runtime packages below provide exactly
# the shared libraries docs/deploying.md lists for this binary (checked with ldd by the packaging
# test on the build machine).
#
#   docker build -f dist/docker/reconciler.Dockerfile -t reconciler .
# The configuration is mounted at /etc/reconciler/reconciler.yaml (listen: 0.0.0.0:$PORT behind the host's
# proxy; state: a postgres:// URL via stateURLEnv, or file:/var/lib/reconciler/ on a volume).

# Build: the Swift toolchain and the C libraries' headers; the Swift runtime is linked statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgit2-dev libhiredis-dev libpq-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product reconciler \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/reconciler" /out/reconciler

# Run: Debian with the binary's shared libraries and nothing else; a user without privileges.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgit2-1.5 libhiredis0.14 libpq5 libcurl4 libstdc++6 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/reconciler --create-home --shell /usr/sbin/nologin reconciler
COPY --from=build /out/reconciler /usr/local/bin/reconciler
USER reconciler
WORKDIR /var/lib/reconciler
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/reconciler"]
CMD ["run", "--config", "/etc/reconciler/reconciler.yaml"]
