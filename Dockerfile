# syntax=docker/dockerfile:1
# Weir's container image: `docker build -t weir .` (docs/deployment.md).
#
# Stage 1 builds `weir` in release with Swift 6 on Debian bookworm, the Swift
# standard library and Foundation linked statically. Stage 2 is
# debian:bookworm-slim with only the shared libraries that binary links.
# tests/deploy/validate.sh checks the package list below against `ldd`, and
# tests/deploy/rootfs.sh builds the same root filesystem with debootstrap and
# runs weir in it.

ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka-dev libavro-dev libyajl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the manifest changes.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product weir \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/weir" /out/weir \
 && strip /out/weir \
 && /out/weir --help >/dev/null

FROM debian:bookworm-slim AS runtime
# The shared libraries `ldd weir` lists, by Debian package: librdkafka and its
# compression/TLS/SASL libraries, avro-c and its own (jansson, snappy, lzma,
# zlib), yajl, and the C/C++ runtime the static Swift runtime still links
# (libc, libm, libstdc++, libgcc_s). Most of the last group is in the base image
# already; they are listed so that this line is the whole truth.
# ca-certificates: TLS to Kafka and the schema registry.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libavro23 libc6 libgcc-s1 libjansson4 liblz4-1 liblzma5 librdkafka1 libsasl2-2 libsnappy1v5 libssl3 libstdc++6 libyajl2 libzstd1 zlib1g \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 weir \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/weir --no-create-home --shell /usr/sbin/nologin weir \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/weir /var/lib/weir/savepoints \
 && install -d -m 0755 /etc/weir /etc/weir/pipelines
COPY --from=build /out/weir /usr/local/bin/weir
# The defaults (config/weir.yaml); mount your own weir.yaml and pipelines over /etc/weir.
COPY config/weir.yaml /etc/weir/weir.yaml
ENV WEIR_DATA_DIR=/var/lib/weir
WORKDIR /var/lib/weir
USER 10001:10001
EXPOSE 8081
VOLUME ["/etc/weir", "/var/lib/weir"]
# No curl in the image: bash (in every Debian image) speaks just enough HTTP
# over /dev/tcp to ask GET /healthz and check for a 200 status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${WEIR_REST_PORT:-8081} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 2 line <&3 && [[ $line == HTTP/1.?' 200'* ]]"]
ENTRYPOINT ["weir"]
CMD ["serve", "--config", "/etc/weir/weir.yaml", "--pipelines", "/etc/weir/pipelines"]
