// Package webui serves the Temporal Web UI for the embedded engine. It is kept apart from
// package engine so that only main carries the UI (ui-server v2.55.0 added 6.5 MB to a
// binary here): main hands Start to the engine through engine.Options.UI, e.g.
//
//	opts.UI = func(c engine.UIConfig) (func(), string, error) { return webui.Start(webui.Config(c)) }
package webui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/temporalio/ui-server/v2/server"
	"github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// readyTimeout bounds the wait for the UI's port to answer.
const readyTimeout = 10 * time.Second

// Config tells the UI where to listen and which frontend to show. Its fields match
// engine.UIConfig, so that one converts into the other.
type Config struct {
	Host            string // IP address to listen on
	Port            int    // 0 takes a free port
	FrontendAddress string // the Temporal frontend's gRPC address
	Namespace       string // shown first
	// CodecEndpoint is the codec server that opens sealed payloads, called
	// from the browser with its cookies ("" for none).
	CodecEndpoint string
}

// Start serves the UI in the background and returns once its port answers. stop shuts
// it down and waits for it; addr is where it listens.
func Start(cfg Config) (stop func(), addr string, err error) {
	port, err := reservePort(cfg.Host, cfg.Port)
	if err != nil {
		return nil, "", err
	}
	addr = net.JoinHostPort(cfg.Host, strconv.Itoa(port))

	srv := server.NewServer(server_options.WithConfigProvider(&config.Config{
		Host:                cfg.Host,
		Port:                port,
		TemporalGRPCAddress: cfg.FrontendAddress,
		EnableUI:            true,
		DefaultNamespace:    cfg.Namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		// The UI is served over plain HTTP on the local network.
		CORS:  config.CORS{CookieInsecure: true},
		Codec: config.Codec{Endpoint: cfg.CodecEndpoint, IncludeCredentials: cfg.CodecEndpoint != ""},
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Start() // returns when stopped; exits the process if it cannot listen
	}()
	stop = func() {
		srv.Stop()
		<-done
	}

	if err := awaitPort(addr, done); err != nil {
		stop()
		return nil, "", err
	}
	return stop, addr, nil
}

// reservePort returns port, or a free port when it is 0, after checking that it can be
// listened on: the UI server exits the whole process when it cannot listen.
func reservePort(host string, port int) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("web ui port %d on %s is not free: %w", port, host, err)
	}
	port = l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release web ui port: %w", err)
	}
	return port, nil
}

// awaitPort waits until addr accepts connections, the server goroutine ends, or time is up.
func awaitPort(addr string, done <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-done:
			return errors.New("web ui stopped before it answered")
		case <-ctx.Done():
			return fmt.Errorf("wait for web ui at %s: %w", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
