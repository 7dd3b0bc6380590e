package store

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wuye/wuye/models"
)

func TestDecodeDeadlinesAgreesWithEncodingJSON(t *testing.T) {
	tests := []struct {
		name, give string
	}{
		{"as written", `[{"milestone":"contact","due":"2026-03-04T09:00:00+08:00","done_at":"2026-03-04T08:55:00.123456789Z"},{"milestone":"complete","due":"2026-03-05T04:00:00Z"}]`},
		{"done_at null", `[{"milestone":"on_site","due":"2026-03-04T09:00:00Z","done_at":null}]`},
		{"whitespace", " [ { \"milestone\" : \"contact\" ,\n\t\"due\" : \"2026-03-04T09:00:00Z\" } ] "},
		{"empty array", `[]`},
		{"null", `null`},
		{"empty object", `[{}]`},
		{"key in another case", `[{"Due":"2026-03-04T09:00:00Z"}]`},
		{"unknown key", `[{"due":"2026-03-04T09:00:00Z","by":7}]`},
		{"escaped string", `[{"milestone":"con\u0074act","due":"2026-03-04T09:00:00Z"}]`},
		{"duplicate key", `[{"due":"2026-03-04T09:00:00Z","due":"2026-03-05T09:00:00Z"}]`},
		{"due null", `[{"due":null,"done_at":"2026-03-05T09:00:00Z"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []models.TicketDeadline
			if err := json.Unmarshal([]byte(tt.give), &want); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				want[i].Milestone = ""
			}
			got, err := decodeDeadlines([]byte(tt.give), nil)
			if err != nil {
				t.Fatalf("got error %v, want %v", err, want)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d deadlines, want %d", len(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.Milestone != "" || g.Due != w.Due || (g.DoneAt == nil) != (w.DoneAt == nil) || g.DoneAt != nil && *g.DoneAt != *w.DoneAt {
					t.Errorf("[%d]: got %s, want %s", i, show(g), show(w))
				}
			}
		})
	}
	for _, bad := range []string{`[{"due":"yesterday"}]`, `[{"due":"2026-03-04T09:00:00Z"}`, `{}`, `[1]`} {
		if _, err := decodeDeadlines([]byte(bad), nil); err == nil {
			t.Errorf("%s: got no error, want one", bad)
		}
	}
	if got, err := decodeDeadlines(nil, nil); got != nil || err != nil {
		t.Errorf("empty column: got %v, %v; want none", got, err)
	}
}

// TestScanDeadlinesReadsWhatJSONWrote: the fast path takes the column as
// encoding/json writes it and hands anything else to encoding/json.
func TestScanDeadlinesReadsWhatJSONWrote(t *testing.T) {
	fast := []string{
		`[{"milestone":"contact","due":"2026-03-04T09:00:00+08:00","done_at":"2026-03-04T08:55:00.123456789Z"},{"milestone":"complete","due":"2026-03-05T04:00:00Z"}]`,
		`[{"milestone":"on_site","due":"2026-03-04T09:00:00Z","done_at":null}]`,
		" [ { \"milestone\" : \"contact\" ,\n\t\"due\" : \"2026-03-04T09:00:00Z\" } ] ",
		`[]`, `null`, `[{}]`, `[{},{}]`,
	}
	for _, give := range fast {
		if _, ok := scanDeadlines([]byte(give), nil); !ok {
			t.Errorf("%s: got the slow path, want the fast one", give)
		}
	}
	slow := []string{
		`[{"Due":"2026-03-04T09:00:00Z"}]`, `[{"due":"2026-03-04T09:00:00Z","by":7}]`,
		`[{"milestone":"con\u0074act","due":"2026-03-04T09:00:00Z"}]`, `[{"due":"2026-03-04T09:00:00Z"}`,
		`[{"due":"2026-03-04T09:00:00Z"}] x`, `[{"due" "2026-03-04T09:00:00Z"}]`, `[{},]`, `{}`, `[1]`,
	}
	for _, give := range slow {
		if _, ok := scanDeadlines([]byte(give), nil); ok {
			t.Errorf("%s: got the fast path, want the slow one", give)
		}
	}
}

func show(d models.TicketDeadline) string {
	done := "-"
	if d.DoneAt != nil {
		done = d.DoneAt.String()
	}
	return fmt.Sprintf("{%q due %s done %s}", d.Milestone, d.Due, done)
}
