package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestTicketsByCursor walks the ticket list page by page by cursor in every
// order, over rows that tie on the sorted column (and NULLs), and gets every
// ticket exactly once, in the order one big page gives.
func TestTicketsByCursor(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		e := ticketEstate(t, s, "A")
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		const n = 23
		for i := range n {
			tk := newTicket(e, base.Add(time.Duration(i%3)*time.Hour)) // three reported_at values
			tk.Category = []string{"水电", "门窗", "电梯", "燃气"}[i%4]
			if i%5 != 0 { // every fifth has no deadline: NULLs sort last
				due := base.Add(time.Duration(i%4) * 24 * time.Hour)
				tk.NextDueAt = &due
			}
			if i%2 == 0 {
				staff := uint64(i%3 + 1)
				tk.AssigneeID = &staff
			}
			_, _, err := s.CreateTicket(ctx, all, tk, "")
			must(t, err)
		}
		for _, field := range store.TicketSorts.Fields() {
			for _, desc := range []bool{false, true} {
				sort := store.Sort{Field: field, Desc: desc}
				whole, err := s.Tickets(ctx, all, store.TicketFilter{}, store.Page{Size: 200, Sort: sort})
				must(t, err)
				if len(whole.Items) != n || whole.Next != "" {
					t.Fatalf("%s in one page: got %d tickets, next %q; want %d, none", sort, len(whole.Items), whole.Next, n)
				}
				var walked []uint64
				page := store.Page{Size: 4, Sort: sort}
				for range n {
					l, err := s.Tickets(ctx, all, store.TicketFilter{}, page)
					must(t, err)
					for _, tk := range l.Items {
						walked = append(walked, tk.ID)
					}
					if l.Next == "" {
						break
					}
					page.After = l.Next
				}
				want := ids(whole.Items)
				if !slices.Equal(walked, want) {
					t.Errorf("%s by cursor: got %v, want %v", sort, walked, want)
				}
				seen := map[uint64]bool{}
				for _, id := range walked {
					if seen[id] {
						t.Errorf("%s by cursor: ticket %d twice", sort, id)
					}
					seen[id] = true
				}
			}
		}
		// Ascending reported_at puts the earliest first, ties by id.
		l, err := s.Tickets(ctx, all, store.TicketFilter{}, store.Page{Size: 200, Sort: store.Sort{Field: "reported_at"}})
		must(t, err)
		for i := 1; i < len(l.Items); i++ {
			a, b := l.Items[i-1], l.Items[i]
			if a.ReportedAt.After(b.ReportedAt) || (a.ReportedAt.Equal(b.ReportedAt) && a.ID > b.ID) {
				t.Errorf("reported_at: ticket %d (%v) before %d (%v)", a.ID, a.ReportedAt, b.ID, b.ReportedAt)
			}
		}
		// A cursor made under another order, or garbage, names the cursor.
		first, err := s.Tickets(ctx, all, store.TicketFilter{}, store.Page{Size: 4, Sort: store.Sort{Field: "category"}})
		must(t, err)
		for _, bad := range []string{first.Next, "not-a-cursor"} {
			_, err = s.Tickets(ctx, all, store.TicketFilter{}, store.Page{Size: 4, Sort: store.Sort{Field: "id"}, After: bad})
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Field != "cursor" {
				t.Errorf("cursor %q under another sort: got %v, want a validation error on cursor", bad, err)
			}
		}
		_, err = s.Tickets(ctx, all, store.TicketFilter{}, store.Page{Sort: store.Sort{Field: "description"}})
		var ve *models.ValidationError
		if !errors.As(err, &ve) || ve.Field != "sort" {
			t.Errorf("sort by description: got %v, want a validation error on sort", err)
		}
	})
}

// TestSearchLists finds tickets, follow-ups and cases by number, room,
// resident's name and words.
func TestSearchLists(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		a := places(t, s, "A")
		movedIn := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		rec, _, err := s.RegisterMoveIn(ctx, all, moveInto(a.unit1, movedIn), "search-a")
		must(t, err)
		hID := rec.Household.ID
		home := newTicket(a.estate, movedIn)
		home.HouseholdID, home.Description = &hID, "卫生间漏水"
		homeT, _, err := s.CreateTicket(ctx, all, home, "")
		must(t, err)
		common := newTicket(a.estate, movedIn)
		common.Category, common.Description, common.Location = "电梯", "电梯异响", "3栋电梯"
		commonT, _, err := s.CreateTicket(ctx, all, common, "")
		must(t, err)

		tests := []struct {
			give string
			want []uint64
		}{
			{"", []uint64{homeT.ID, commonT.ID}},
			{"1-101", []uint64{homeT.ID}},
			{"1栋101", []uint64{homeT.ID}},
			{"张三", []uint64{homeT.ID}},
			{"漏水", []uint64{homeT.ID}},
			{"异响", []uint64{commonT.ID}},
			{"3栋电梯", []uint64{commonT.ID}},
			{fmt.Sprintf("#%d", commonT.ID), []uint64{commonT.ID}},
			{"%", nil},
			{"王五", nil},
		}
		for _, tt := range tests {
			l, err := s.Tickets(ctx, all, store.TicketFilter{Search: tt.give}, store.Page{Sort: store.Sort{Field: "id"}})
			must(t, err)
			if got := ids(l.Items); !slices.Equal(got, tt.want) {
				t.Errorf("tickets %q: got %v, want %v", tt.give, got, tt.want)
			}
		}
		fus, err := s.FollowUps(ctx, all, store.FollowUpFilter{Search: "1栋101"}, store.Page{})
		must(t, err)
		if len(fus.Items) != 1 || fus.Items[0].HouseholdID != hID {
			t.Errorf("follow-ups of 1栋101: got %d, want the household's one", len(fus.Items))
		}
		fus, err = s.FollowUps(ctx, all, store.FollowUpFilter{Search: "2栋101"}, store.Page{})
		must(t, err)
		if len(fus.Items) != 0 {
			t.Errorf("follow-ups of 2栋101: got %d, want 0", len(fus.Items))
		}
	})
}
