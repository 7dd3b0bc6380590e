// Package api is the service's HTTP API: a Gin router whose handlers bind and
// validate input, call the store or a workflow, and map errors to status codes
// in one place (errors.go). The route table (routes.go) is the single source
// of the OpenAPI document and of the access tests.
package api

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/imports"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// Options are the API's dependencies.
type Options struct {
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now           func() time.Time
	SessionTTL    time.Duration
	SecureCookies bool
	// DefaultTimeZone is given to new estates that name none.
	DefaultTimeZone string
	// TemporalUIURL is the Temporal Web UI's base URL ("" when none runs)
	// and Namespace the service's namespace, for links into the processes.
	TemporalUIURL string
	Namespace     string
	// Links checks the signed links residents answer through; nil turns
	// their pages off (404).
	Links *auth.Links
	// Codec is the payload codec's HTTP handler, served at CodecPath to
	// administrators (nil: no codec server).
	Codec http.Handler
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For names the client; nil trusts none, and the
	// client's address is the connection's peer.
	TrustedProxies []string
	// Collectors are served on /metrics beside the API's own (the worker's
	// workflow task failures).
	Collectors []prometheus.Collector
	// Tracer opens a span per request; nil (tracing off) opens none.
	Tracer trace.Tracer
	// StreamPoll, StreamHeartbeat and StreamLifetime tune the inbox's
	// event stream: how often it reads the database for new messages, how
	// often it sends a comment so that proxies keep it open, and when it
	// ends for the browser to reconnect (zero: 1.5 s, 15 s, 5 min).
	StreamPoll, StreamHeartbeat, StreamLifetime time.Duration
	// PayProviders may notify payments at
	// /api/v1/payment-notifications/{name}; none turns the route off (404).
	// PayNotifyWindow bounds a notification's timestamp either way (zero:
	// models.DefaultNotifyWindow).
	PayProviders    []models.PayProvider
	PayNotifyWindow time.Duration
	// ReceiptSecrets are the keys of the channels' gateways, which sign
	// their delivery receipts (/api/v1/delivery-receipts/{channel}); a
	// channel without one answers 404.
	ReceiptSecrets map[models.Channel]string
	// Attachments keeps the photos of tickets, visits and disputes.
	Attachments AttachmentOptions
}

// Server holds the API's dependencies and its router.
type Server struct {
	store         *store.Store
	temporal      client.Client
	log           *slog.Logger
	now           func() time.Time
	sessionTTL    time.Duration
	secureCookies bool
	defaultTZ     string
	temporalUI    string
	namespace     string
	links         *auth.Links
	collectors    []prometheus.Collector
	tracer        trace.Tracer
	validate      *validator.Validate
	engine        *gin.Engine
	// kinds are the kinds of import (imports.Kinds).
	kinds imports.Registry
	// signInLockouts counts the sign-in locks this process set, by key kind
	// (account, address); served at /metrics. Each replica counts its own.
	signInLockouts                              *prometheus.CounterVec
	streamPoll, streamHeartbeat, streamLifetime time.Duration
	// closing ends the open event streams when the HTTP server shuts down
	// (CloseStreams), which would otherwise wait for them.
	closing   chan struct{}
	closeOnce sync.Once
	// payProviders sign payment notifications; payWindow bounds their
	// timestamps.
	payProviders []models.PayProvider
	payWindow    time.Duration
	// receiptSecrets check the gateways' delivery receipts, by channel.
	receiptSecrets map[models.Channel]string
	attach         AttachmentOptions
}

// New builds the API.
func New(opts Options) *Server {
	s := &Server{
		store: opts.Store, temporal: opts.Temporal, log: opts.Log, now: opts.Now,
		sessionTTL: opts.SessionTTL, secureCookies: opts.SecureCookies, defaultTZ: opts.DefaultTimeZone,
		temporalUI: opts.TemporalUIURL, namespace: opts.Namespace, links: opts.Links, collectors: opts.Collectors,
		tracer:     opts.Tracer,
		validate:   newValidator(),
		kinds:      imports.Kinds(),
		streamPoll: cmp.Or(opts.StreamPoll, defaultStreamPoll), streamHeartbeat: cmp.Or(opts.StreamHeartbeat, defaultStreamHeartbeat),
		streamLifetime: cmp.Or(opts.StreamLifetime, defaultStreamLifetime), closing: make(chan struct{}),
		payProviders: opts.PayProviders, payWindow: cmp.Or(opts.PayNotifyWindow, models.DefaultNotifyWindow),
		receiptSecrets: opts.ReceiptSecrets,
		attach:         opts.Attachments.withDefaults(),
		signInLockouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wuye_sign_in_lockouts_total",
			Help: "Failed sign-ins that locked a username or a client address for a while, by kind (account, address)."},
			[]string{"kind"}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = slog.New(RequestIDHandler(s.log.Handler()))
	if s.now == nil {
		s.now = time.Now
	}
	if s.defaultTZ == "" {
		s.defaultTZ = "Asia/Shanghai"
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = 12 * time.Hour
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Gin trusts every X-Forwarded-For by default, which would let any
	// client choose the address its failed sign-ins are counted against.
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		s.log.Error("trusted proxies: none trusted", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.Use(requestID)
	if s.tracer != nil {
		e.Use(s.trace)
	}
	e.Use(s.recover, s.accessLog, noSniffNoStore)
	e.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, errorBody{Error: errorDetail{Code: codeNotFound, Message: "没有这个接口"}})
	})
	e.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed", Message: "不支持该请求方法"}})
	})
	for _, r := range s.routes() {
		handlers := []gin.HandlerFunc{}
		if !r.public {
			handlers = append(handlers, s.authenticate(r))
		}
		e.Handle(r.method, r.path, append(handlers, r.handler)...)
	}
	if opts.Codec != nil {
		s.registerCodec(e, opts.Codec)
	}
	s.engine = e
	return s
}

// CloseStreams ends the open event streams and refuses none afterwards (a
// new stream ends at once). Register it with http.Server.RegisterOnShutdown:
// Shutdown waits for every request, and a stream never ends by itself.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.closing) }) }

// Handler is the API's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the router so that other packages (the console) can add
// their routes beside the API's.
func (s *Server) Engine() *gin.Engine { return s.engine }

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(c.Request.Context(), "panic in handler", "route", c.FullPath(), "panic", v)
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{Code: codeInternal, Message: "系统内部错误"}})
		}
	}()
	c.Next()
}

// noSniffNoStore sets the headers every answer needs: nosniff everywhere, so
// that no browser reads a JSON body or an embedded file as another type, and
// no-store on the API, whose answers carry personal data (residents' phones,
// owner files) that must not stay in a browser's or a proxy's cache. The
// console's files set their own Cache-Control (they may be cached).
func noSniffNoStore(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.Header("Cache-Control", "no-store")
	}
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelDebug
	if c.Writer.Status() >= http.StatusInternalServerError {
		level = slog.LevelWarn
	}
	s.log.Log(c.Request.Context(), level, "http", "method", c.Request.Method, "route", c.FullPath(),
		"status", c.Writer.Status(), "elapsed", time.Since(start))
}

// detached gives work that must finish once started (a workflow start after
// the row is written) a context the client's disconnect cannot cancel.
func detached(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
