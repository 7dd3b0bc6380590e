// Command wuye runs the property-management process service: with no
// arguments, everything in one process on the embedded default (Temporal
// server, worker, API, SQLite database under ./data).
//
//	wuye [serve] [--demo]   API + worker (+ embedded Temporal without TEMPORAL_ADDRESS)
//	wuye api                the HTTP API only, against a Temporal cluster
//	wuye worker             the worker only, against a Temporal cluster
//	wuye demo               serve, after filling an empty database with a demo estate
//	wuye backup DIR         copy the embedded default's databases into DIR, while it runs
//	wuye restore DIR        copy a backup from DIR into an empty data directory
//	wuye healthcheck        exit 0 when this container's server answers /healthz
//
// Configuration comes from environment variables; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work on machines without tzdata

	"github.com/wuye/wuye/app"
	"github.com/wuye/wuye/backup"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/engine"
	"github.com/wuye/wuye/engine/webui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command: it returns the exit status, 0 after an orderly stop
// when ctx ends (SIGINT/SIGTERM), 1 when the service fails, 2 for bad usage
// or configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "healthcheck" {
		return runHealthcheck(stderr)
	}
	if cmd, dir, ok, err := parseBackupArgs(args); ok || err != nil {
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		return runBackup(ctx, cmd, dir, stdout, stderr)
	}
	mode, demo, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, err := config.Load(config.OSEnvironment())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if cfg.MemoryLimit > 0 {
		// A soft limit: the collector runs more often as the process nears
		// it instead of letting the heap double (GOGC=100) past it.
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	opts := app.Options{Mode: mode, Demo: demo, Out: stdout, Log: app.NewLogger(cfg, stderr)}
	if cfg.EmbeddedUIPort > 0 {
		opts.UI = func(c engine.UIConfig) (func(), string, error) { return webui.Start(webui.Config(c)) }
	}
	if err := app.Run(ctx, cfg, opts); err != nil {
		fmt.Fprintln(stderr, "wuye:", err)
		return 1
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (app.Mode, bool, error) {
	mode := app.ModeServe
	demo := false
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		switch args[0] {
		case "serve":
		case "api":
			mode = app.ModeAPI
		case "worker":
			mode = app.ModeWorker
		case "demo":
			demo = true
		default:
			return "", false, fmt.Errorf("unknown command %q: want serve, api, worker, demo, backup or restore", args[0])
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("wuye", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&demo, "demo", demo, "fill an empty database with a demo estate, its staff and households")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wuye [serve|api|worker|demo] [--demo] | wuye backup|restore DIR\nconfiguration: environment variables, see README.md")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", false, err
	}
	if fs.NArg() > 0 {
		return "", false, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	return mode, demo, nil
}

// parseBackupArgs recognises `backup DIR` and `restore DIR`; ok is false for
// every other command.
func parseBackupArgs(args []string) (cmd, dir string, ok bool, err error) {
	if len(args) == 0 || (args[0] != "backup" && args[0] != "restore") {
		return "", "", false, nil
	}
	if len(args) != 2 || args[1] == "" || args[1][0] == '-' {
		return "", "", false, fmt.Errorf("usage: wuye %s DIR", args[0])
	}
	return args[0], args[1], true, nil
}

// runBackup backs the data directory up into dir, or restores dir into it.
// A backup runs beside the service; a restore wants it stopped and an empty
// data directory.
func runBackup(ctx context.Context, cmd, dir string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(config.OSEnvironment())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	files, err := app.StateFiles(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "wuye:", err)
		return 2
	}
	var m backup.Manifest
	if cmd == "backup" {
		m, err = backup.Create(ctx, dir, files, time.Now())
	} else {
		m, err = backup.Restore(dir, cfg.DataDir, files)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wuye %s: %v\n", cmd, err)
		return 1
	}
	verb := "backed up into"
	if cmd == "restore" {
		verb = "restored from"
	}
	for _, f := range m.Files {
		fmt.Fprintf(stdout, "%s  %10d  %s\n", f.SHA256, f.Size, f.Name)
	}
	fmt.Fprintf(stdout, "%s %s (backup of %s)\n", verb, dir, m.Created.Format(time.RFC3339))
	return 0
}

// runHealthcheck asks the server in this container for /healthz (the API and
// the worker both serve it), for Docker's health check: the image has no
// shell or curl.
func runHealthcheck(stderr io.Writer) int {
	cfg, err := config.Load(config.OSEnvironment())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 2
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: %s answered %d\n", url, resp.StatusCode)
		return 1
	}
	return 0
}
