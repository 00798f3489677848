# `clipnet-worker` in a container, for Railway or any container host (docs/deploying.md, "Containers").
# Not exercised by CI: no container engine runs there. The runtime packages below provide exactly
# the shared libraries docs/deploying.md lists for this binary (checked with ldd by the packaging
# test on the build machine).
#
#   docker build -f dist/docker/clipnet-worker.Dockerfile -t clipnet-worker .
# Settings are environment variables (docs/worker.md, "Running"); ffmpeg is the polish stage's.

# Build: the Swift toolchain and the C libraries' headers; the Swift runtime is linked statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgit2-dev libhiredis-dev libpq-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product clipnet-worker \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/clipnet-worker" /out/clipnet-worker

# Run: Debian with the binary's shared libraries and nothing else; a user without privileges.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis0.14 libpq5 libcurl4 libstdc++6 ca-certificates tzdata ffmpeg \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/clipnet-worker --create-home --shell /usr/sbin/nologin clipnet-worker
COPY --from=build /out/clipnet-worker /usr/local/bin/clipnet-worker
USER clipnet-worker
WORKDIR /var/lib/clipnet-worker
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/clipnet-worker"]
CMD ["run", "--metrics-port", "9464"]
