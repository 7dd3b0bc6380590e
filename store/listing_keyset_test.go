package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestSortedListPagesBothWays walks the ticket list page by page forward by
// cursor, back by the previous-page cursor and by page number, on a
// nullable sort column with ties, each way up and down: every walk gives the
// same pages.
func TestSortedListPagesBothWays(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := ticketEstate(t, s, "A")
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for i := range 23 {
			p := models.TicketProgress{Status: models.StatusNew}
			if i%4 != 0 {
				due := base.Add(time.Duration(i%5) * time.Hour) // ties
				p.NextDueAt = &due
			}
			dashTicket(t, s, a, models.UrgencyNormal, base, p, "", time.Time{})
		}
		for _, sort := range []store.Sort{{Field: "next_due_at"}, {Field: "next_due_at", Desc: true}, {Field: "reported_at", Desc: true}} {
			page := func(p store.Page) store.List[models.Ticket] {
				t.Helper()
				p.Size, p.Sort = 5, sort
				l, err := s.Tickets(ctx, store.AllEstates(), store.TicketFilter{EstateID: a}, p)
				if err != nil {
					t.Fatalf("%s: %v", sort, err)
				}
				return l
			}
			ids := func(l store.List[models.Ticket]) []uint64 {
				var out []uint64
				for _, tk := range l.Items {
					out = append(out, tk.ID)
				}
				return out
			}
			var forward [][]uint64
			l := page(store.Page{})
			if l.Prev != "" || l.Total != 23 {
				t.Fatalf("%s: first page: got prev %q, total %d; want none, 23", sort, l.Prev, l.Total)
			}
			for {
				forward = append(forward, ids(l))
				if l.Next == "" {
					break
				}
				l = page(store.Page{After: l.Next})
			}
			if len(forward) != 5 {
				t.Fatalf("%s: got %d pages, want 5", sort, len(forward))
			}
			seen := slices.Concat(forward...)
			uniq := slices.Clone(seen)
			slices.Sort(uniq)
			if len(slices.Compact(uniq)) != 23 {
				t.Fatalf("%s: got %v, want 23 tickets once each", sort, seen)
			}
			for i := len(forward) - 1; i > 0; i-- {
				if l.Prev == "" {
					t.Fatalf("%s: page %d: got no previous cursor", sort, i+1)
				}
				l = page(store.Page{Before: l.Prev})
				if got := ids(l); !slices.Equal(got, forward[i-1]) {
					t.Fatalf("%s: back to page %d: got %v, want %v", sort, i, got, forward[i-1])
				}
			}
			if l.Prev != "" {
				t.Errorf("%s: back on the first page: got previous cursor %q, want none", sort, l.Prev)
			}
			for i, want := range forward {
				if got := ids(page(store.Page{Number: i + 1})); !slices.Equal(got, want) {
					t.Errorf("%s: page %d by number: got %v, want %v", sort, i+1, got, want)
				}
			}
		}
	})
}
