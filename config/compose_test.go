package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// composeFile is the part of docker-compose.yml the checks below read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
}

type composeService struct {
	Image      string   `yaml:"image"`
	Build      any      `yaml:"build"`
	Command    []string `yaml:"command"`
	Entrypoint []string `yaml:"entrypoint"`
	DependsOn  map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Restart     string            `yaml:"restart"`
	Environment map[string]string `yaml:"environment"`
}

// oneShot is a setup job: it runs once to completion and is never restarted.
func (s composeService) oneShot() bool { return s.Restart == "no" && s.Healthcheck == nil }

func readCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	return c
}

// TestComposeStartsInOrder checks the start-up order docker-compose.yml
// promises, statically (Docker cannot pull images on the machines that run
// this): every long-running service has a health check and every other one
// is a one-shot setup job; every dependency names its condition; api and
// worker wait for both Temporal setup jobs to finish and for MySQL and
// Temporal to be healthy; the deprecated auto-setup image is gone; only the
// proxy publishes the API.
func TestComposeStartsInOrder(t *testing.T) {
	c := readCompose(t)
	for name, s := range c.Services {
		if strings.Contains(s.Image, "temporalio/auto-setup") {
			t.Errorf("service %s uses %s, deprecated: want temporalio/server and a setup job", name, s.Image)
		}
		switch {
		case s.Healthcheck != nil:
			if len(s.Healthcheck.Test) < 2 || (s.Healthcheck.Test[0] != "CMD" && s.Healthcheck.Test[0] != "CMD-SHELL") {
				t.Errorf("service %s: health check %q, want a CMD or CMD-SHELL test", name, s.Healthcheck.Test)
			}
		case s.oneShot():
		default:
			t.Errorf("service %s: no health check and not a one-shot job (restart: \"no\")", name)
		}
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			switch {
			case !ok:
				t.Errorf("service %s depends on %s, which does not exist", name, dep)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
			case d.Condition == "service_completed_successfully" && !target.oneShot():
				t.Errorf("service %s waits for %s to complete, which is not a one-shot job", name, dep)
			case d.Condition != "service_healthy" && d.Condition != "service_completed_successfully":
				t.Errorf("service %s depends on %s with condition %q, want service_healthy or service_completed_successfully", name, dep, d.Condition)
			}
		}
	}

	want := map[string]string{
		"mysql":              "service_healthy",
		"temporal":           "service_healthy",
		"temporal-schema":    "service_completed_successfully",
		"temporal-namespace": "service_completed_successfully",
	}
	for _, name := range []string{"api", "worker"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no %s service", name)
		}
		for dep, cond := range want {
			if got := s.DependsOn[dep].Condition; got != cond {
				t.Errorf("service %s on %s: got condition %q, want %s", name, dep, got, cond)
			}
		}
	}
	for dep, cond := range map[string]string{"temporal-schema": "service_completed_successfully", "mysql": "service_healthy"} {
		if got := c.Services["temporal"].DependsOn[dep].Condition; got != cond {
			t.Errorf("temporal on %s: got condition %q, want %s", dep, got, cond)
		}
	}
	if got := c.Services["temporal-namespace"].DependsOn["temporal"].Condition; got != "service_healthy" {
		t.Errorf("temporal-namespace on temporal: got condition %q, want service_healthy", got)
	}

	server, _ := strings.CutPrefix(c.Services["temporal"].Image, "temporalio/server:")
	for _, job := range []string{"temporal-schema", "temporal-namespace"} {
		s := c.Services[job]
		if !strings.HasPrefix(s.Image, "temporalio/admin-tools:"+server) || server == "" {
			t.Errorf("%s runs %s, want temporalio/admin-tools of the server's release %q", job, s.Image, server)
		}
		checkScriptMounted(t, job, s)
	}

	if p := c.Services["api"].Ports; len(p) > 0 {
		t.Errorf("api publishes %v, want no ports: the proxy is the way in (and --scale api=3 needs none)", p)
	}
	if got := c.Services["api"].Environment["WUYE_SECURE_COOKIES"]; got != "true" {
		t.Errorf("api WUYE_SECURE_COOKIES: got %q, want true behind the TLS proxy", got)
	}
	proxy := c.Services["proxy"]
	if !strings.HasPrefix(proxy.Image, "caddy:") || !slices.Contains(proxy.Ports, "443:443") || !slices.Contains(proxy.Ports, "80:80") {
		t.Errorf("proxy: got image %q ports %v, want Caddy publishing 80 and 443", proxy.Image, proxy.Ports)
	}
	if proxy.DependsOn["api"].Condition != "service_healthy" {
		t.Errorf("proxy on api: got %q, want service_healthy", proxy.DependsOn["api"].Condition)
	}
	// Behind the proxy every connection comes from it: the api must trust it
	// to name the client, or sign-in throttling counts everyone as one.
	var subnets []string
	for _, c := range c.Networks["default"].IPAM.Config {
		subnets = append(subnets, c.Subnet)
	}
	if got := c.Services["api"].Environment["WUYE_TRUSTED_PROXIES"]; got == "" || !slices.Equal(strings.Split(got, ","), subnets) {
		t.Errorf("api WUYE_TRUSTED_PROXIES: got %q, want the default network's subnets %q", got, subnets)
	}
	caddyfile := mountedFile(t, proxy, "/etc/caddy/Caddyfile")
	for _, want := range []string{"tls internal", "reverse_proxy", "dynamic a", "name api", "port 8080", "lb_policy"} {
		if !strings.Contains(caddyfile, want) {
			t.Errorf("Caddyfile: no %q", want)
		}
	}
}

// checkScriptMounted: a job's entrypoint script comes from a directory of
// this repository mounted into it.
func checkScriptMounted(t *testing.T, job string, s composeService) {
	t.Helper()
	if len(s.Entrypoint) != 2 || s.Entrypoint[0] != "/bin/sh" {
		t.Errorf("%s entrypoint %q, want /bin/sh and a script", job, s.Entrypoint)
		return
	}
	mountedFile(t, s, s.Entrypoint[1])
}

// mountedFile reads the repository file that service s sees at target.
func mountedFile(t *testing.T, s composeService, target string) string {
	t.Helper()
	for _, v := range s.Volumes {
		src, dst, _ := strings.Cut(strings.TrimSuffix(v, ":ro"), ":")
		if !strings.HasPrefix(src, "./") {
			continue
		}
		if rest, ok := strings.CutPrefix(target, dst); ok && (rest == "" || rest[0] == '/') {
			raw, err := os.ReadFile(filepath.Join("..", src, rest))
			if err != nil {
				t.Errorf("%s is mounted from %s: %v", target, src, err)
			}
			return string(raw)
		}
	}
	t.Errorf("nothing from this repository is mounted at %s", target)
	return ""
}

// TestNamespaceJobCreatesEverySearchAttribute keeps deploy/temporal's
// namespace job in step with the attributes the workflows set
// (engine.DefaultSearchAttributes, read from its source so that this test
// does not link the Temporal server), each with its type.
func TestNamespaceJobCreatesEverySearchAttribute(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../engine/search_attributes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	cliType := map[string]string{
		"KEYWORD": "Keyword", "TEXT": "Text", "INT": "Int", "DOUBLE": "Double",
		"BOOL": "Bool", "DATETIME": "Datetime", "KEYWORD_LIST": "KeywordList",
	}
	want := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "DefaultSearchAttributes" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			key, ok1 := kv.Key.(*ast.BasicLit)
			val, ok2 := kv.Value.(*ast.SelectorExpr)
			if !ok1 || !ok2 {
				t.Errorf("DefaultSearchAttributes: entry %T: %T, want \"Name\": enums.INDEXED_VALUE_TYPE_X", kv.Key, kv.Value)
				return false
			}
			name, _ := strconv.Unquote(key.Value)
			want[name] = cliType[strings.TrimPrefix(val.Sel.Name, "INDEXED_VALUE_TYPE_")]
			return false
		})
		return false
	})
	if len(want) == 0 {
		t.Fatal("found no search attributes in engine/search_attributes.go")
	}

	raw, err := os.ReadFile("../deploy/temporal/create-namespace.sh")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for line := range strings.Lines(string(raw)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "search_attribute" {
			got[f[1]] = f[2]
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("create-namespace.sh creates %v, want %v (engine/search_attributes.go)", got, want)
	}
	for _, want := range []string{"operator namespace create", "operator search-attribute create", "--type"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("create-namespace.sh: no %q", want)
		}
	}
	schema, err := os.ReadFile("../deploy/temporal/setup-schema.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"create-database", "setup-schema -v 0.0", "update-schema", "/etc/temporal/schema/mysql/v8", "visibility"} {
		if !strings.Contains(string(schema), want) {
			t.Errorf("setup-schema.sh: no %q", want)
		}
	}
}

// TestDockerfileKeepsDataInAVolume: distroless nonroot cannot write to "/",
// where the image used to start, so the embedded default had nowhere for
// ./data. The image now makes /data, owned by nonroot, its working and data
// directory.
func TestDockerfileKeepsDataInAVolume(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := string(raw)
	for _, want := range []string{"distroless/static-debian12:nonroot", "--chown=65532:65532", "WUYE_DATA_DIR=/data", "WORKDIR /data", `VOLUME ["/data"]`} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile: no %q", want)
		}
	}
	if strings.Index(d, `VOLUME ["/data"]`) < strings.Index(d, "--chown=65532:65532") {
		t.Error(`Dockerfile: VOLUME before the chowned COPY, want the directory owned by nonroot before it becomes a volume`)
	}
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil || !strings.Contains(string(ignore), "data/") {
		t.Errorf(".dockerignore: got %v, want data/ kept out of the build context", err)
	}
}
