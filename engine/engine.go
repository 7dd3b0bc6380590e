// Package engine runs a real Temporal server inside the service's process, storing its
// state in a SQLite file so that open workflows survive a restart. It is meant for a
// single node, used when no external Temporal address is configured.
//
// The web UI lives in the separate package engine/webui, which only main imports and
// passes in through Options.UI, so that this package and its tests do not carry it.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/temporal"
)

// Defaults applied by Start to the zero values of Options.
const (
	DefaultNamespace = "default"
	DefaultHost      = "127.0.0.1"
	DefaultRetention = 30 * 24 * time.Hour

	// readyTimeout bounds the wait for the frontend when ctx has no deadline.
	readyTimeout = time.Minute
)

// Options configures the embedded server.
type Options struct {
	// DataDir holds the store, DataDir/temporal.db. It is created (mode 0700) if missing.
	// Only one process may use it at a time: Start fails, naming the owner's pid, while
	// another holds DataDir/temporal.lock.
	DataDir string
	// Namespace is registered before the server starts; default DefaultNamespace.
	Namespace string
	// Retention is how long closed workflows are kept; default DefaultRetention. It is
	// applied when the namespace is created, not to a namespace that already exists.
	Retention time.Duration
	// Host is the IP address every service listens on; default DefaultHost.
	Host string
	// FrontendPort is the gRPC frontend's port. The history, matching and worker services
	// take the three ports above it. 0 takes free ports for all four (for tests).
	FrontendPort int
	// UIPort is the web UI's port: -1 for no UI, 0 for a free port. The UI runs only when
	// UI is set as well.
	UIPort int
	// UI starts the web UI; nil for none. main sets it to a wrapper of webui.Start.
	UI UIFunc
	// CodecEndpoint is handed to the UI (UIConfig.CodecEndpoint).
	CodecEndpoint string
	// SearchAttributes are custom search attributes added at start when missing (nil for
	// none); see DefaultSearchAttributes.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's warnings and errors; its other lines are dropped.
	// Nil discards everything.
	Logger *slog.Logger
	// MySQL, when set, keeps the server's persistence in MySQL instead of
	// DataDir/temporal.db (see MySQLStore); nil for the embedded default.
	MySQL *MySQLStore
}

// UIConfig tells a web UI where to listen and which frontend to show. Its fields match
// webui.Config, so that main can convert one into the other.
type UIConfig struct {
	Host            string
	Port            int
	FrontendAddress string
	Namespace       string
	// CodecEndpoint is the codec server the UI opens sealed payloads
	// through, with the staff's session cookie ("" for none).
	CodecEndpoint string
}

// UIFunc starts a web UI that serves until stop is called; addr is where it listens.
type UIFunc func(UIConfig) (stop func(), addr string, err error)

// Server is a running embedded Temporal server.
type Server struct {
	srv          temporal.Server
	serverLog    serverLogger
	logger       *slog.Logger
	frontendAddr string
	uiAddr       string
	stopUI       func()
	// lock keeps other processes off DataDir until Stop.
	lock *dirLock

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server on the store in opts.DataDir and returns once the frontend
// answers and the search attributes are registered. Call Stop when done.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create engine data dir: %w", err)
	}
	lock, err := lockDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	ports, err := choosePorts(opts.Host, opts.FrontendPort)
	if err != nil {
		lock.release()
		return nil, err
	}
	store, visibility, err := prepareStores(opts)
	if err != nil {
		lock.release()
		return nil, err
	}

	serverLog := newServerLogger(opts.Logger)
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(opts.Host, ports, store, visibility)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(opts.Host, ports)),
		temporal.WithLogger(serverLog),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("create temporal server: %w", err)
	}
	s := &Server{
		srv:          srv,
		lock:         lock,
		serverLog:    serverLog,
		logger:       opts.Logger,
		frontendAddr: dialAddr(opts.Host, ports.frontend),
	}

	if err := srv.Start(); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	if err := s.awaitReady(ctx, opts); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if opts.UI != nil && opts.UIPort >= 0 {
		stop, addr, err := opts.UI(UIConfig{
			Host:            opts.Host,
			Port:            opts.UIPort,
			FrontendAddress: s.frontendAddr,
			Namespace:       opts.Namespace,
			CodecEndpoint:   opts.CodecEndpoint,
		})
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("start web ui: %w", err)
		}
		s.stopUI, s.uiAddr = stop, addr
	}
	return s, nil
}

// FrontendAddress is the frontend's gRPC address for clients, e.g. "127.0.0.1:7233".
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIAddress is the web UI's address, or "" when it does not run.
func (s *Server) UIAddress() string { return s.uiAddr }

// Stop stops the web UI, then the server. Calling it again returns the first result.
// The server's own log lines during shutdown are dropped and only counted.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.stopUI != nil {
			s.stopUI()
		}
		s.serverLog.state.stopping.Store(true)
		if err := s.srv.Stop(); err != nil {
			s.stopErr = fmt.Errorf("stop temporal server: %w", err)
		}
		s.lock.release()
		s.logger.Info("embedded temporal server stopped",
			"frontend", s.frontendAddr, "shutdown_lines_dropped", s.serverLog.state.dropped.Load())
	})
	return s.stopErr
}

// awaitReady waits until the frontend answers a health check, then registers the
// search attributes.
func (s *Server) awaitReady(ctx context.Context, opts Options) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	c, err := s.dial(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := RegisterSearchAttributes(ctx, c, opts.Namespace, opts.SearchAttributes); err != nil {
		return fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	return nil
}

// dial connects to the frontend, retrying until it passes the client's health check.
func (s *Server) dial(ctx context.Context, opts Options) (client.Client, error) {
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  s.frontendAddr,
			Namespace: opts.Namespace,
			Logger:    sdklog.NewStructuredLogger(opts.Logger.With("component", "temporal-client")),
		})
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for temporal frontend at %s: %w", s.frontendAddr, errors.Join(ctx.Err(), err))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (o Options) withDefaults() (Options, error) {
	if o.DataDir == "" {
		return o, errors.New("engine: DataDir is required")
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Host == "" {
		o.Host = DefaultHost
	}
	if net.ParseIP(o.Host) == nil {
		return o, fmt.Errorf("engine: Host %q is not an IP address", o.Host)
	}
	if o.FrontendPort < 0 || o.FrontendPort > 65535-len(portNames)+1 {
		return o, fmt.Errorf("engine: FrontendPort %d is out of range", o.FrontendPort)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
