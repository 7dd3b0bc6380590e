# Production image: one static binary; the same image runs `api` and `worker`.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/wuye ./cmd/wuye

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wuye /usr/local/bin/wuye
ENV WUYE_HTTP_ADDR=:8080 WUYE_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/wuye"]
CMD ["serve"]
