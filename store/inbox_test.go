package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func TestInboxReadState(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		const me, other = 7, 8
		claim := func(key string, kind models.RecipientKind, to uint64) models.Message {
			t.Helper()
			m, _, err := s.ClaimMessage(ctx, newMessage(a.estate.ID, key, "ticket:12", kind, to))
			must(t, err)
			return m
		}
		first, second := claim("t12/assign", models.RecipientStaff, me), claim("t12/escalate", models.RecipientStaff, me)
		theirs := claim("t12/assign-other", models.RecipientStaff, other)
		claim("t12/resident", models.RecipientResident, me) // a resident with the same id: not in the inbox

		unread := func(want int64) {
			t.Helper()
			n, err := s.UnreadCount(ctx, me)
			if err != nil || n != want {
				t.Errorf("unread count: got %d, %v, want %d", n, err, want)
			}
		}
		unread(2)
		l, err := s.Inbox(ctx, me, store.InboxFilter{}, store.Page{})
		must(t, err)
		if l.Total != 2 || len(l.Items) != 2 || l.Items[0].ID != second.ID || l.Items[1].ID != first.ID {
			t.Fatalf("inbox: got %+v, want messages %d then %d", l, second.ID, first.ID)
		}
		last, err := s.LastInboxID(ctx, me)
		if err != nil || last != second.ID {
			t.Errorf("last inbox id: got %d, %v, want %d", last, err, second.ID)
		}
		after, err := s.InboxAfter(ctx, me, first.ID, 10)
		if err != nil || len(after) != 1 || after[0].ID != second.ID {
			t.Errorf("inbox after %d: got %+v, %v, want only %d", first.ID, after, err, second.ID)
		}
		if none, err := s.LastInboxID(ctx, 99); err != nil || none != 0 {
			t.Errorf("last inbox id of an empty inbox: got %d, %v, want 0", none, err)
		}

		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		m, err := s.MarkRead(ctx, me, first.ID, at)
		if err != nil || m.ReadAt == nil || !m.ReadAt.Equal(at) {
			t.Fatalf("mark read: got %+v, %v, want read at %v", m.ReadAt, err, at)
		}
		m, err = s.MarkRead(ctx, me, first.ID, at.Add(time.Hour))
		if err != nil || m.ReadAt == nil || !m.ReadAt.Equal(at) {
			t.Errorf("mark read again: got %v, %v, want the first read time %v kept", m.ReadAt, err, at)
		}
		unread(1)
		l, err = s.Inbox(ctx, me, store.InboxFilter{Unread: true}, store.Page{})
		if err != nil || l.Total != 1 || l.Items[0].ID != second.ID {
			t.Errorf("unread inbox: got %+v, %v, want only %d", l, err, second.ID)
		}

		_, err = s.MarkRead(ctx, me, theirs.ID, at)
		wantErr(t, "marking another's message", err, models.ErrNotFound)
		if n, _ := s.UnreadCount(ctx, other); n != 1 {
			t.Errorf("the other's unread count: got %d, want 1 (untouched)", n)
		}

		n, err := s.MarkAllRead(ctx, me, at)
		if err != nil || n != 1 {
			t.Errorf("mark all read: got %d, %v, want 1 marked", n, err)
		}
		unread(0)
		if n, _ := s.UnreadCount(ctx, other); n != 1 {
			t.Errorf("the other's unread count after mine were all read: got %d, want 1", n)
		}
	})
}

func TestCaseHouseholds(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		open := func(f fixture) models.CollectionCase {
			t.Helper()
			c, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: f.household.ID, WorkflowID: "collection-" + f.estate.Code,
				Key: "case-" + f.estate.Code, OpenedAt: time.Now(), CaseProgress: models.CaseProgress{Stage: models.StageDunning}})
			must(t, err)
			return c
		}
		ca, cb := open(a), open(b)
		got, err := s.CaseHouseholds(ctx, store.Estates(a.estate.ID), []uint64{ca.ID, cb.ID, 999999})
		if err != nil || len(got) != 1 || got[ca.ID] != a.household.ID {
			t.Errorf("case households in estate A: got %v, %v, want only case %d → household %d", got, err, ca.ID, a.household.ID)
		}
		if got, err := s.CaseHouseholds(ctx, store.AllEstates(), nil); err != nil || len(got) != 0 {
			t.Errorf("no cases: got %v, %v, want none", got, err)
		}
	})
}
