// Command wuye runs the property-management process service: with no
// arguments, everything in one process on the embedded default (Temporal
// server, worker, API, SQLite database under ./data).
//
//	wuye [serve] [--demo]   API + worker (+ embedded Temporal without TEMPORAL_ADDRESS)
//	wuye api                the HTTP API only, against a Temporal cluster
//	wuye worker             the worker only, against a Temporal cluster
//	wuye demo               serve, after filling an empty database with a demo estate
//
// Configuration comes from environment variables; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without tzdata

	"github.com/wuye/wuye/app"
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
			return "", false, fmt.Errorf("unknown command %q: want serve, api, worker or demo", args[0])
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("wuye", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&demo, "demo", demo, "fill an empty database with a demo estate, its staff and households")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wuye [serve|api|worker|demo] [--demo]\nconfiguration: environment variables, see README.md")
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
