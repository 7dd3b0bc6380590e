package models

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		give string
		want time.Duration
	}{
		{"0", 0},
		{"0s", 0},
		{"30d", 30 * Day},
		{"15d12h", 15*Day + 12*time.Hour},
		{"10m", 10 * time.Minute},
		{"90s", 90 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"1.5d", 36 * time.Hour},
		{"1d1d", 2 * Day},
		{"12h1d", 36 * time.Hour},
		{"500ms", 500 * time.Millisecond},
		{"1µs", time.Microsecond},
		{"1us", time.Microsecond},
		{"2d3h4m5s", 2*Day + 3*time.Hour + 4*time.Minute + 5*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseDuration(tt.give)
			if err != nil {
				t.Fatalf("ParseDuration(%q): got error %v, want %v", tt.give, err, tt.want)
			}
			if got.Std() != tt.want {
				t.Errorf("ParseDuration(%q): got %v, want %v", tt.give, got.Std(), tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		give string
		want string // a fragment of the error
	}{
		{"", "时长为空"},
		{"-1h", "不能为负数"},
		{"-0s", "不能为负数"},
		{"abc", "应为数字"},
		{"10", "缺少单位"},
		{"1d2", "缺少单位"},
		{"3w", "未知单位"},
		{"1y", "未知单位"},
		{"1h 30m", "未知单位"},
		{" 1h", "应为数字"},
		{"+1h", "应为数字"},
		{".h", "应为数字"},
		{"1..5h", "无效"},
		{"200000d", "超出范围"},
		{"106751d24h", "超出范围"}, // 2^63 ns ≈ 106751.99 days
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseDuration(tt.give)
			if err == nil {
				t.Fatalf("ParseDuration(%q): got %v, want an error containing %q", tt.give, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDuration(%q): got error %q, want one containing %q", tt.give, err, tt.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		give time.Duration
		want string
	}{
		{0, "0s"},
		{30 * Day, "30d"},
		{36 * time.Hour, "1d12h"},
		{10 * time.Minute, "10m"},
		{90 * time.Second, "1m30s"},
		{90 * time.Minute, "1h30m"},
		{15*Day + 12*time.Hour, "15d12h"},
		{Day + time.Second, "1d1s"},
		{1500 * time.Millisecond, "1.5s"},
		{time.Minute + 250*time.Millisecond, "1m0.25s"},
		{500 * time.Millisecond, "500ms"},
		{time.Nanosecond, "1ns"},
		{-36 * time.Hour, "-1d12h"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Duration(tt.give).String(); got != tt.want {
				t.Errorf("Duration(%v).String(): got %q, want %q", tt.give, got, tt.want)
			}
			if tt.give < 0 {
				return
			}
			back, err := ParseDuration(tt.want)
			if err != nil || back.Std() != tt.give {
				t.Errorf("ParseDuration(%q): got %v, %v, want %v", tt.want, back.Std(), err, tt.give)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	type holder struct {
		D Duration `json:"d"`
	}
	tests := []struct {
		give     string
		want     time.Duration
		wantJSON string
	}{
		{`{"d":"30d"}`, 30 * Day, `{"d":"30d"}`},
		{`{"d":"36h"}`, 36 * time.Hour, `{"d":"1d12h"}`},
		{`{"d":"0"}`, 0, `{"d":"0s"}`},
		{`{"d":"15d12h"}`, 15*Day + 12*time.Hour, `{"d":"15d12h"}`},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var h holder
			if err := json.Unmarshal([]byte(tt.give), &h); err != nil {
				t.Fatalf("Unmarshal(%s): got error %v, want %v", tt.give, err, tt.want)
			}
			if h.D.Std() != tt.want {
				t.Errorf("Unmarshal(%s): got %v, want %v", tt.give, h.D.Std(), tt.want)
			}
			out, err := json.Marshal(h)
			if err != nil {
				t.Fatalf("Marshal: got error %v, want %s", err, tt.wantJSON)
			}
			if string(out) != tt.wantJSON {
				t.Errorf("Marshal: got %s, want %s", out, tt.wantJSON)
			}
		})
	}
	for _, give := range []string{`{"d":"-5m"}`, `{"d":"soon"}`, `{"d":600}`, `{"d":""}`} {
		var h holder
		if err := json.Unmarshal([]byte(give), &h); err == nil {
			t.Errorf("Unmarshal(%s): got %v, want an error", give, h.D)
		}
	}
}
