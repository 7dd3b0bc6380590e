package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestScreensAnswerWhileTheWriterIsBusy: with the writer's one SQLite
// connection held (as a long run of process writes holds it), a list and
// a dashboard still answer, from the read pool, and see what the writer
// committed just before.
func TestScreensAnswerWhileTheWriterIsBusy(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "R")
		all := store.AllEstates()
		tk, _, err := s.CreateTicket(ctx, all, newTicket(f.estate.ID, time.Now().UTC()), "")
		must(t, err)

		writer, err := s.SQL()
		must(t, err)
		held, err := writer.Conn(ctx)
		must(t, err)
		defer held.Close()
		if s.Driver() == store.SQLite {
			// The writer's pool is that one connection: a write now waits.
			busy, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			_, err := writer.ExecContext(busy, "SELECT 1")
			cancel()
			if err == nil {
				t.Fatal("the writer answered with its one connection held: the test holds nothing")
			}
		}

		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		l, err := s.Tickets(rctx, all, store.TicketFilter{EstateID: f.estate.ID}, store.Page{Number: 1, Size: 20})
		if err != nil {
			t.Fatalf("ticket list with the writer busy: %v", err)
		}
		if len(l.Items) != 1 || l.Items[0].ID != tk.ID {
			t.Errorf("ticket list: got %+v, want the ticket %d written before", l.Items, tk.ID)
		}
		d, err := s.Dashboard(rctx, all, store.DashboardFilter{EstateID: f.estate.ID})
		if err != nil {
			t.Fatalf("dashboard with the writer busy: %v", err)
		}
		if d.OpenTotal != 1 {
			t.Errorf("dashboard: open %d, want 1", d.OpenTotal)
		}
	})
}
