package console

import (
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The console's scripts are ES modules loaded without a build step: a wrong
// import shows only in a browser, as a page that never draws. These tests
// read the modules' import and export statements instead.

var (
	importRe     = regexp.MustCompile(`\bimport\s*(?:\{([^}]*)\}\s*from\s*)?'([^']+)'`)
	exportRe     = regexp.MustCompile(`(?m)^export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)`)
	exportListRe = regexp.MustCompile(`(?m)^export\s*\{([^}]*)\}`)
)

// module is one script: what it imports from which file, and what it exports.
type module struct {
	imports map[string][]string // file (static/js/x.js) → names
	exports []string
}

// modules reads every embedded .js file, skipping whole-line comments.
func modules(t *testing.T) map[string]*module {
	t.Helper()
	out := map[string]*module{}
	err := walk(func(name, body string) {
		if !strings.HasSuffix(name, ".js") {
			return
		}
		var code []string
		for _, line := range strings.Split(body, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "//") {
				code = append(code, line)
			}
		}
		src := strings.Join(code, "\n")
		m := &module{imports: map[string][]string{}}
		for _, im := range importRe.FindAllStringSubmatch(src, -1) {
			target := path.Join(path.Dir(name), im[2])
			m.imports[target] = append(m.imports[target], names(im[1], false)...)
		}
		for _, ex := range exportRe.FindAllStringSubmatch(src, -1) {
			m.exports = append(m.exports, ex[1])
		}
		for _, ex := range exportListRe.FindAllStringSubmatch(src, -1) {
			m.exports = append(m.exports, names(ex[1], true)...)
		}
		out[name] = m
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("got no modules, want the console's scripts")
	}
	return out
}

// names reads "a, b as c": the names as the other module knows them (a, b)
// for an import list, the names given out (a, c) for an export list.
func names(list string, exported bool) []string {
	var out []string
	for _, part := range strings.Split(list, ",") {
		f := strings.Fields(part)
		switch {
		case len(f) == 1:
			out = append(out, f[0])
		case len(f) == 3 && f[1] == "as" && exported:
			out = append(out, f[2])
		case len(f) == 3 && f[1] == "as":
			out = append(out, f[0])
		}
	}
	return out
}

// TestEveryImportExists: each imported file is embedded and exports each
// name imported from it.
func TestEveryImportExists(t *testing.T) {
	mods := modules(t)
	for name, m := range mods {
		for target, imported := range m.imports {
			dep, ok := mods[target]
			if !ok {
				t.Errorf("%s: imports %s, which is not embedded", name, target)
				continue
			}
			for _, n := range imported {
				if !slices.Contains(dep.exports, n) {
					t.Errorf("%s: imports %s from %s, which does not export it", name, n, target)
				}
			}
		}
	}
}

// TestNoModuleImportsTheShell: app.js, the page's entry, imports the pages;
// a page that imported it back would see its bindings uninitialised while
// the modules are first evaluated (session.js holds what pages share).
func TestNoModuleImportsTheShell(t *testing.T) {
	for name, m := range modules(t) {
		if _, ok := m.imports["static/js/app.js"]; ok {
			t.Errorf("%s: imports app.js, want the shared session from session.js", name)
		}
	}
}

// TestNoImportCycle: the modules import one another in a tree, so that any
// of them may use an import at its top level.
func TestNoImportCycle(t *testing.T) {
	mods := modules(t)
	files := make([]string, 0, len(mods))
	for name := range mods {
		files = append(files, name)
	}
	sort.Strings(files)
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var visit func(name string, trail []string)
	visit = func(name string, trail []string) {
		switch state[name] {
		case open:
			i := slices.Index(trail, name)
			t.Errorf("import cycle: %s", strings.Join(append(trail[i:], name), " → "))
			return
		case done:
			return
		}
		state[name] = open
		deps := make([]string, 0, len(mods[name].imports))
		for target := range mods[name].imports {
			deps = append(deps, target)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if _, ok := mods[d]; ok {
				visit(d, append(trail, name))
			}
		}
		state[name] = done
	}
	for _, name := range files {
		visit(name, nil)
	}
}
