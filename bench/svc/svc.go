// Package svc builds the wuye binary and runs it as a child process on a
// data directory of its own, with free loopback ports, for the load bench
// and the fault tests: they kill it, restart it and read its database as an
// operator would.
package svc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// AdminPassword is the first administrator's password of every started service.
const AdminPassword = "bench-admin-password"

// Build compiles ./cmd/wuye of the module at moduleDir into dir and returns
// the binary's path.
func Build(ctx context.Context, moduleDir, dir string) (string, error) {
	bin := filepath.Join(dir, "wuye")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/wuye")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build wuye: %w\n%s", err, out)
	}
	return bin, nil
}

// ModuleDir finds the directory of go.mod above dir.
func ModuleDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Options say how to run the service.
type Options struct {
	Binary  string
	DataDir string
	// Env adds or overrides variables (WUYE_DB_DRIVER, WUYE_NOTIFY_*...).
	Env map[string]string
	// TemporalPort is the embedded frontend's port; 0 picks a free block.
	// A restart on the same data directory may keep it or not: clients
	// read Service.Frontend again.
	TemporalPort int
	// ReadyTimeout bounds the wait for /readyz; default 2 minutes.
	ReadyTimeout time.Duration
}

// Service is a running wuye process.
type Service struct {
	opts Options
	cmd  *exec.Cmd
	// Base is the API's base URL, e.g. http://127.0.0.1:41234.
	Base string
	// Frontend is the embedded Temporal server's gRPC address.
	Frontend string
	// StartUp is the time from exec to the first /readyz 200.
	StartUp time.Duration
	// LogPath holds the process's stderr (appended across restarts).
	LogPath string
	exited  chan struct{}
	waitErr error
}

var (
	apiLine      = regexp.MustCompile(`API:\s+http://(\S+)/api/v1`)
	temporalLine = regexp.MustCompile(`Temporal:\s+(\S+) \(embedded`)
)

// Start runs the binary and returns once /readyz answers 200.
func Start(ctx context.Context, opts Options) (*Service, error) {
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 2 * time.Minute
	}
	if opts.TemporalPort == 0 {
		p, err := FreePortBlock(4)
		if err != nil {
			return nil, err
		}
		opts.TemporalPort = p
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	env := map[string]string{
		"WUYE_DATA_DIR": opts.DataDir, "WUYE_HTTP_ADDR": "127.0.0.1:0", "WUYE_ADMIN_PASSWORD": AdminPassword,
		"WUYE_TEMPORAL_UI_PORT": "0", "WUYE_TEMPORAL_PORT": strconv.Itoa(opts.TemporalPort), "WUYE_LOG_LEVEL": "warn",
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	s := &Service{opts: opts, LogPath: filepath.Join(opts.DataDir, "wuye.log"), exited: make(chan struct{})}
	logFile, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(opts.Binary)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", opts.Binary, err)
	}
	s.cmd = cmd
	addrs := make(chan [2]string, 1)
	go func() {
		var api, frontend string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			_, _ = io.WriteString(logFile, "stdout: "+line+"\n")
			if m := temporalLine.FindStringSubmatch(line); m != nil {
				frontend = m[1]
			}
			if m := apiLine.FindStringSubmatch(line); m != nil {
				api = m[1]
			}
			if api != "" && frontend != "" {
				addrs <- [2]string{api, frontend}
				api = "" // send once
				frontend = "sent"
			}
		}
	}()
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	select {
	case a := <-addrs:
		s.Base, s.Frontend = "http://"+a[0], a[1]
	case <-s.exited:
		return nil, fmt.Errorf("wuye exited before listening (%v); see %s:\n%s", s.waitErr, s.LogPath, tail(s.LogPath))
	case <-time.After(opts.ReadyTimeout):
		_ = s.Kill()
		return nil, fmt.Errorf("wuye did not print its addresses within %v; see %s", opts.ReadyTimeout, s.LogPath)
	case <-ctx.Done():
		_ = s.Kill()
		return nil, ctx.Err()
	}
	if err := s.WaitReady(ctx, opts.ReadyTimeout); err != nil {
		_ = s.Kill()
		return nil, err
	}
	s.StartUp = time.Since(began)
	return s, nil
}

// WaitReady polls /readyz until it answers 200.
func (s *Service) WaitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("wuye exited while starting (%v):\n%s", s.waitErr, tail(s.LogPath))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wuye not ready within %v (last: %v)", limit, err)
		}
	}
}

// PID is the process id.
func (s *Service) PID() int { return s.cmd.Process.Pid }

// Kill sends SIGKILL and waits for the process to be gone: no shutdown
// runs, as when a machine loses power.
func (s *Service) Kill() error {
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-s.exited
	return nil
}

// Stop sends SIGTERM and waits up to a minute for an orderly exit, then kills.
func (s *Service) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(time.Minute):
		return s.Kill()
	}
}

// Restart starts the same binary on the same data directory and
// configuration after the process has ended.
func (s *Service) Restart(ctx context.Context) (*Service, error) {
	<-s.exited
	opts := s.opts
	return Start(ctx, opts)
}

// RSS is the process's resident set size in bytes (VmRSS).
func (s *Service) RSS() (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// SQLitePath is the app database of a service on the default SQLite driver.
func (s *Service) SQLitePath() string { return filepath.Join(s.opts.DataDir, "wuye.db") }

var portMu sync.Mutex

// FreePortBlock finds n consecutive free loopback ports and returns the
// first. Another process may take one before it is used; the service then
// fails to start and says which.
func FreePortBlock(n int) (int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		first := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if first+n > 65000 {
			continue
		}
		ok := true
		for p := first; p < first+n && ok; p++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				continue
			}
			l.Close()
		}
		if ok {
			return first, nil
		}
	}
	return 0, errors.New("no block of free ports found")
}

// tail returns the last lines of a log file.
func tail(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(raw) > 4000 {
		raw = raw[len(raw)-4000:]
	}
	return string(raw)
}
