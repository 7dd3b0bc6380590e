package workflows

import (
	"testing"
	"time"
)

type testTimer struct {
	at   time.Time
	name string
}

func (t testTimer) when() time.Time { return t.at }

func TestSoonest(t *testing.T) {
	t1, t2 := at(2, 9, 0), at(2, 10, 0)
	tests := []struct {
		name string
		give []testTimer
		want string
	}{
		{"none", nil, ""},
		{"only unset", []testTimer{{name: "a"}}, ""},
		{"earliest", []testTimer{{t2, "a"}, {t1, "b"}}, "b"},
		{"first of equals", []testTimer{{t1, "a"}, {t1, "b"}}, "a"},
		{"unset skipped", []testTimer{{name: "a"}, {t2, "b"}, {name: "c"}}, "b"},
	}
	for _, tt := range tests {
		if got := soonest(tt.give).name; got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
