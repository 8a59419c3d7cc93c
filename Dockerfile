# parley's container image: a static binary on distroless, running as a non-root user with its data in the
# /data volume (docs/deploy.md).
#
#   docker build -t parley --build-arg VERSION=$(git describe --tags --always) .
#   docker run -p 8080:8080 -v parley-data:/data -e PARLEY_ACCESS_KEYS=id:secret parley
#
# A listener that is not loopback requires access keys; flags after the image name are added to the serve
# command's (docker run ... parley --log-format json).

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/parley ./cmd/parley \
    && mkdir /out/data

# distroless/static: CA certificates, time zones, /etc/passwd with the nonroot user (65532); no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/parley /usr/local/bin/parley
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/parley", "serve", "--data", "/data", "--listen", "0.0.0.0:8080"]
