# The aksguard image: the CLI, whose `webhook` subcommand is what deploy/ runs.
#   docker build -t ghcr.io/aksguard/aksguard:dev .
#
# Two stages: a Rust toolchain builds a release binary; the runtime image holds that binary
# and the C runtime it links (glibc, libgcc), no shell and no package manager. It runs as
# the numeric non-root user 65532 and writes nothing to its filesystem, so it runs with
# `readOnlyRootFilesystem: true`. Builder and runtime are both Debian 12, so the binary's
# glibc is the runtime's.

ARG RUST_VERSION=1.95

FROM docker.io/library/rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# --locked builds exactly Cargo.lock. Plain RUN (no BuildKit cache mounts), so any builder
# takes this file.
RUN cargo build --release --locked --package aksguard \
    && install -D --mode=0755 target/release/aksguard /out/aksguard

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/aksguard /usr/local/bin/aksguard
USER 65532:65532
# 8443: the webhook (HTTPS); 9090: Prometheus metrics (plain HTTP).
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/aksguard"]
CMD ["--help"]
