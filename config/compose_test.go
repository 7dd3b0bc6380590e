package config

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeSetsOnlyKnownVariables keeps docker-compose.yml honest: every
// variable it gives the service's containers is one the binary reads, and
// the values it sets (with ${...} defaults filled in) load without error.
func TestComposeSetsOnlyKnownVariables(t *testing.T) {
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	known := Variables()
	for _, want := range []string{"WUYE_HTTP_ADDR", "TEMPORAL_ADDRESS", "TEMPORAL_TLS_CLIENT_CERT_PATH", "WUYE_NOTIFY_WEBHOOK_SECRET"} {
		if !slices.Contains(known, want) {
			t.Errorf("Variables(): got no %s, want every variable the binary reads", want)
		}
	}
	commands := map[string]bool{}
	for name, svc := range compose.Services {
		if svc.Build == nil {
			continue // not our image
		}
		commands[strings.Join(svc.Command, " ")] = true
		env := Environment{}
		for k, v := range svc.Environment {
			if !slices.Contains(known, k) {
				t.Errorf("service %s sets %s, which the binary does not read", name, k)
			}
			env[k] = fillDefaults(v)
		}
		if _, err := Load(env); err != nil {
			t.Errorf("service %s: its environment does not load: %v", name, err)
		}
	}
	if !commands["api"] || !commands["worker"] {
		t.Errorf("compose runs %v, want separate api and worker services", commands)
	}
}

// fillDefaults replaces ${NAME:-default} and ${NAME:?msg} as compose would
// with NAME unset (the :? form gets a placeholder, long enough for a secret).
func fillDefaults(v string) string {
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return v
		}
		j := strings.Index(v[i:], "}")
		if j < 0 {
			return v
		}
		expr := v[i+2 : i+j]
		repl := "placeholder-value-long-enough-for-a-secret"
		if _, def, ok := strings.Cut(expr, ":-"); ok {
			repl = def
		}
		v = v[:i] + repl + v[i+j+1:]
	}
}
