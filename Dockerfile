# Build stage: compile the release binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml clippy.toml ./
COPY migrations migrations
COPY src src
# Cargo loads every target the manifest declares, benches included.
COPY benches benches
RUN cargo build --release --locked --bin convergence

# Runtime stage: the binary alone, run as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/convergence --create-home convergence
COPY --from=build /src/target/release/convergence /usr/local/bin/convergence
USER convergence
WORKDIR /var/lib/convergence
ENV CONVERGENCE_BIND=0.0.0.0:8080 \
    LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/convergence"]
CMD ["serve"]
