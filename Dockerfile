# Production image: one static binary; the same image runs `api` and `worker`
# against a Temporal cluster, or `serve`, the embedded default, with its
# SQLite files in /data.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/wuye ./cmd/wuye
# The runtime image has no shell: make the data directory here, for the
# distroless nonroot user (uid/gid 65532) to own.
RUN mkdir -p /out/data && chmod 0700 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wuye /usr/local/bin/wuye
COPY --from=build --chown=65532:65532 /out/data /data
# The process starts in /data and keeps its files there (WUYE_DATA_DIR): "/"
# is not writable for nonroot. A new named volume takes the directory's owner
# from the image; a bind-mounted host directory must be owned by 65532.
ENV WUYE_HTTP_ADDR=:8080 WUYE_LOG_FORMAT=json WUYE_DATA_DIR=/data
WORKDIR /data
VOLUME ["/data"]
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/wuye"]
CMD ["serve"]
