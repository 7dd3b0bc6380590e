package workflows

import (
	"testing"

	"github.com/wuye/wuye/models"
)

func TestClimb(t *testing.T) {
	p := models.DefaultPolicy().Escalation
	breach := at(2, 9, 0)
	first, ok := p.EscalationAt(breach, 1)
	if !ok {
		t.Fatal("default policy: no escalation level 1")
	}
	level, next := 0, first
	for want := 1; want <= len(p.Levels); want++ {
		level, next = climb(p, level, next)
		wantNext, ok := p.EscalationAt(breach, want+1)
		if level != want || !next.Equal(wantNext) || ok == next.IsZero() {
			t.Errorf("climb to %d: got level %d, next %v; want %d, next %v", want, level, next, want, wantNext)
		}
	}
}

func TestIDList(t *testing.T) {
	tests := []struct {
		give []uint64
		want string
	}{
		{nil, ""},
		{[]uint64{5}, "5"},
		{[]uint64{5, 21, 31}, "5,21,31"},
	}
	for _, tt := range tests {
		if got := idList(tt.give); got != tt.want {
			t.Errorf("idList(%v): got %q, want %q", tt.give, got, tt.want)
		}
	}
}
