# pushbench image from source: the load generator and the reference server on Debian 12.
#   docker build -t pushbench:local .
# The build stage runs the same install script and build script as a developer machine and CI;
# the image stage holds the two binaries and their runtime libraries. To make an image from an
# existing local build without a registry, see Dockerfile.local.
ARG BASE=debian:12

FROM ${BASE} AS build
COPY . /src
RUN /src/scripts/install-deps.sh && cd /src && BUILD_DIR=/src/build-image scripts/build.sh

FROM ${BASE} AS image
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libssl3 libnghttp2-14 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build-image/bin/pushbench /src/build-image/bin/pushbench-server /usr/local/bin/
RUN ["/usr/local/bin/pushbench", "--help"]
