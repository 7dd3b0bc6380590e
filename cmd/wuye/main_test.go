package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/wuye/wuye/app"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		give     []string
		wantMode app.Mode
		wantDemo bool
		wantErr  string
	}{
		{nil, app.ModeServe, false, ""},
		{[]string{"--demo"}, app.ModeServe, true, ""},
		{[]string{"serve", "--demo"}, app.ModeServe, true, ""},
		{[]string{"demo"}, app.ModeServe, true, ""},
		{[]string{"api"}, app.ModeAPI, false, ""},
		{[]string{"worker"}, app.ModeWorker, false, ""},
		{[]string{"migrate"}, "", false, `unknown command "migrate"`},
		{[]string{"api", "extra"}, "", false, "unexpected arguments"},
		{[]string{"--nope"}, "", false, "flag provided but not defined"},
	}
	for _, tt := range tests {
		mode, demo, err := parseArgs(tt.give, &bytes.Buffer{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseArgs(%q): got %v, want an error containing %q", tt.give, err, tt.wantErr)
			}
			continue
		}
		if err != nil || mode != tt.wantMode || demo != tt.wantDemo {
			t.Errorf("parseArgs(%q): got %q %v %v, want %q %v", tt.give, mode, demo, err, tt.wantMode, tt.wantDemo)
		}
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	t.Setenv("WUYE_DB_DRIVER", "oracle")
	var stderr bytes.Buffer
	if code := run(context.Background(), nil, &bytes.Buffer{}, &stderr); code != 2 {
		t.Errorf("run with a bad driver: got exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "WUYE_DB_DRIVER") {
		t.Errorf("run with a bad driver: got %q, want the variable named", stderr.String())
	}
}

func TestSplitModesNeedACluster(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "")
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"worker"}, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "TEMPORAL_ADDRESS") {
		t.Errorf("worker without TEMPORAL_ADDRESS: got exit %d %q, want 1 naming TEMPORAL_ADDRESS", code, stderr.String())
	}
}
