package api

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wuye/wuye/store/storetest"
)

// TestMetricsCountBreachedTickets: every record count /metrics serves
// collects without error, and wuye_tickets_breached counts open tickets
// whose nearest deadline has passed, on SQLite and MySQL alike.
func TestMetricsCountBreachedTickets(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		db, err := s.SQL()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for id, due := range map[uint64]time.Time{h.a.ticket.ID: now.Add(-time.Hour), h.b.ticket.ID: now.Add(time.Hour)} {
			if _, err := db.ExecContext(context.Background(), "UPDATE tickets SET next_due_at = ? WHERE id = ?", due, id); err != nil {
				t.Fatal(err)
			}
		}
		srv := New(Options{Store: s})
		reg := prometheus.NewRegistry()
		reg.MustRegister(srv.metricsCollectors()...)
		// Every record count's query runs: a renamed table fails here.
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				if len(m.GetLabel()) == 0 {
					got[f.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
				}
			}
		}
		if _, ok := got["wuye_ticket_escalations"]; !ok {
			t.Error("wuye_ticket_escalations: got no series, want a count (0)")
		}
		if got["wuye_tickets_breached"] != 1 || got["wuye_db_errors_total"] != 0 {
			t.Errorf("wuye_tickets_breached, wuye_db_errors_total: got %v, %v, want 1 (a ticket due an hour ago, not one due in an hour), 0",
				got["wuye_tickets_breached"], got["wuye_db_errors_total"])
		}
	})
}
