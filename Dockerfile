# syntax=docker/dockerfile:1

# Build stage: a static binary, reproducible paths, the version stamped in.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/anseo ./cmd/anseo
# The final image has no shell to make the history's directory with.
RUN mkdir -p /out/data

# Final stage: nothing but the binary, run as an unprivileged user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/anseo /anseo
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
# The history (SQLite) lives in a volume, so it survives a new container.
ENV ANSEO_DB=/data/anseo.db
VOLUME /data
EXPOSE 8080 2323 2424
# The image has no curl: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/anseo", "healthcheck"]
ENTRYPOINT ["/anseo"]
