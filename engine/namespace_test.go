package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/server/temporaltest"
)

// TestCheckNamespace checks a real server's namespace in three states: one
// that does not exist, one whose attributes are partly missing or of
// another type, one with all of them.
func TestCheckNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	ns := ts.GetDefaultNamespace()
	want := DefaultSearchAttributes()

	err := CheckNamespace(ctx, c, "wuye-missing", want)
	if err == nil || !strings.Contains(err.Error(), `namespace "wuye-missing" does not exist`) {
		t.Errorf("missing namespace: got %v, want an error naming it", err)
	}

	// Registered by hand, one with the wrong type; the others are missing.
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns,
		SearchAttributes: map[string]enums.IndexedValueType{
			"WuyeEscalationLevel": enums.INDEXED_VALUE_TYPE_KEYWORD,
			"WuyeEstate":          enums.INDEXED_VALUE_TYPE_KEYWORD,
		}})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckNamespace(ctx, c, ns, want)
	if err == nil {
		t.Fatal("wrong and missing attributes: got nil, want an error")
	}
	t.Logf("wrong and missing attributes:\n%v", err)
	for _, line := range []string{
		"WuyeEscalationLevel is Keyword, want Int",
		"temporal operator search-attribute remove --namespace " + ns + " --name WuyeEscalationLevel\n",
		"temporal operator search-attribute create --namespace " + ns + " --name WuyeEscalationLevel --type Int\n",
		"temporal operator search-attribute create --namespace " + ns + " --name WuyeDueAt --type Datetime\n",
		"temporal operator search-attribute create --namespace " + ns + " --name WuyeCaseKind --type Keyword\n",
		"temporal operator search-attribute create --namespace " + ns + " --name WuyeStage --type Keyword",
	} {
		if !strings.Contains(err.Error(), line) {
			t.Errorf("wrong and missing attributes: got %q, want it to contain %q", err, line)
		}
	}
	if strings.Contains(err.Error(), "--name WuyeEstate ") {
		t.Errorf("wrong and missing attributes: got %q, want no command for WuyeEstate (registered right)", err)
	}

	// What the error says to run, done through the API, makes it pass.
	_, err = c.OperatorService().RemoveSearchAttributes(ctx, &operatorservice.RemoveSearchAttributesRequest{Namespace: ns,
		SearchAttributes: []string{"WuyeEscalationLevel"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterSearchAttributes(ctx, c, ns, want); err != nil {
		t.Fatal(err)
	}
	if err := CheckNamespace(ctx, c, ns, want); err != nil {
		t.Errorf("every attribute registered: got %v, want nil", err)
	}
}

// TestReadmeListsTheSearchAttributes keeps the README's production commands
// in step with DefaultSearchAttributes.
func TestReadmeListsTheSearchAttributes(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	attrs := DefaultSearchAttributes()
	for name, typ := range attrs {
		cmd := fmt.Sprintf("temporal operator search-attribute create --namespace wuye --name %s --type %s\n", name, typ)
		if !bytes.Contains(raw, []byte(cmd)) {
			t.Errorf("README.md: got no %q, want the command for every search attribute", cmd)
		}
	}
	if got := bytes.Count(raw, []byte("temporal operator search-attribute create --namespace wuye ")); got != len(attrs) {
		t.Errorf("README.md: got %d search-attribute commands, want %d", got, len(attrs))
	}
}
