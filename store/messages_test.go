package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

func newMessage(estateID uint64, key, ref string, kind models.RecipientKind, recipientID uint64) *models.Message {
	return &models.Message{
		Key: key, EstateID: estateID, RecipientKind: kind, RecipientID: recipientID,
		Channel: "log", Address: "138****5678", Template: "ticket_received",
		Subject: "报修已受理", Body: "【阳光花园】您的报修已受理，工单号 T-12。", Ref: ref,
	}
}

func TestClaimMessage(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")

		first, fresh, err := s.ClaimMessage(ctx, newMessage(a.estate.ID, "ticket-12/received", "ticket:12", models.RecipientResident, a.resident.ID))
		must(t, err)
		if !fresh || first.ID == 0 || first.Status != models.MessagePending || first.Attempts != 0 {
			t.Fatalf("first claim: got fresh=%v %+v, want a fresh pending message", fresh, first)
		}
		again := newMessage(a.estate.ID, "ticket-12/received", "ticket:99", models.RecipientStaff, 7)
		again.Body = "不同的正文"
		got, fresh, err := s.ClaimMessage(ctx, again)
		must(t, err)
		if fresh || got.ID != first.ID || got.Ref != "ticket:12" || got.Body != first.Body || got.RecipientKind != models.RecipientResident {
			t.Errorf("second claim: got fresh=%v %+v, want the first message %d unchanged", fresh, got, first.ID)
		}
		if got.Body != "【阳光花园】您的报修已受理，工单号 T-12。" {
			t.Errorf("body: got %q, want the Chinese text intact", got.Body)
		}

		_, _, err = s.ClaimMessage(ctx, newMessage(a.estate.ID, "", "ticket:12", models.RecipientResident, 1))
		wantField(t, "empty key", err, "key")
		_, _, err = s.ClaimMessage(ctx, newMessage(a.estate.ID, strings.Repeat("k", models.MaxMessageKeyLen+1), "", models.RecipientResident, 1))
		wantField(t, "long key", err, "key")
		long := strings.Repeat("工", models.MaxMessageKeyLen)
		if _, fresh, err := s.ClaimMessage(ctx, newMessage(a.estate.ID, long, "", models.RecipientResident, 1)); err != nil || !fresh {
			t.Errorf("key of %d Chinese characters: got fresh=%v, %v, want it stored", models.MaxMessageKeyLen, fresh, err)
		}
	})
}

func TestClaimMessageConcurrently(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		const n = 8
		ids := make([]uint64, n)
		freshes := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				m, fresh, err := s.ClaimMessage(ctx, newMessage(a.estate.ID, "race", "ticket:1", models.RecipientResident, a.resident.ID))
				ids[i], freshes[i], errs[i] = m.ID, fresh, err
			})
		}
		wg.Wait()
		nFresh := 0
		for i := range n {
			must(t, errs[i])
			if ids[i] != ids[0] {
				t.Errorf("claim %d: got message %d, want %d like claim 0", i, ids[i], ids[0])
			}
			if freshes[i] {
				nFresh++
			}
		}
		if nFresh != 1 {
			t.Errorf("fresh claims: got %d, want 1", nFresh)
		}
	})
}

func TestRecordAttempt(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		m, _, err := s.ClaimMessage(ctx, newMessage(a.estate.ID, "k1", "ticket:12", models.RecipientResident, a.resident.ID))
		must(t, err)

		long := strings.Repeat("网关错误", 100)
		must(t, s.RecordAttempt(ctx, m.ID, false, long, now))
		got, err := s.Message(ctx, store.AllEstates(), m.ID)
		must(t, err)
		if got.Status != models.MessageFailed || got.Attempts != 1 || got.SentAt != nil || len([]rune(got.LastError)) != models.MaxErrorTextLen {
			t.Errorf("after a failure: got %s, %d attempts, sent %v, error of %d characters, want failed, 1, nil, %d",
				got.Status, got.Attempts, got.SentAt, len([]rune(got.LastError)), models.MaxErrorTextLen)
		}

		sentAt := now.Add(time.Minute)
		must(t, s.RecordAttempt(ctx, m.ID, true, "", sentAt))
		got, err = s.Message(ctx, store.AllEstates(), m.ID)
		must(t, err)
		if got.Status != models.MessageSent || got.Attempts != 2 || got.SentAt == nil || !got.SentAt.Equal(sentAt) || got.LastError != "" {
			t.Errorf("after a success: got %s, %d attempts, sent %v, error %q, want sent, 2, %v, none",
				got.Status, got.Attempts, got.SentAt, got.LastError, sentAt)
		}

		// A late failure (say, a timed-out attempt) does not undo the delivery.
		must(t, s.RecordAttempt(ctx, m.ID, false, "timeout", sentAt.Add(time.Minute)))
		got, err = s.Message(ctx, store.AllEstates(), m.ID)
		must(t, err)
		if got.Status != models.MessageSent || got.Attempts != 3 || !got.SentAt.Equal(sentAt) {
			t.Errorf("after a late failure: got %s, %d attempts, sent %v, want sent, 3, %v", got.Status, got.Attempts, got.SentAt, sentAt)
		}

		attempts, err := s.MessageAttempts(ctx, m.ID)
		must(t, err)
		if len(attempts) != 3 {
			t.Fatalf("attempts: got %d, want 3", len(attempts))
		}
		for i, want := range []bool{false, true, false} {
			if attempts[i].Attempt != i+1 || attempts[i].OK != want {
				t.Errorf("attempt %d: got number %d ok=%v, want number %d ok=%v", i, attempts[i].Attempt, attempts[i].OK, i+1, want)
			}
		}
		if !attempts[0].At.Equal(now) || attempts[1].Error != "" || attempts[2].Error != "timeout" {
			t.Errorf("attempt details: got %+v, want the times and errors recorded", attempts)
		}

		wantErr(t, "attempt of an unknown message", s.RecordAttempt(ctx, m.ID+100, true, "", now), models.ErrNotFound)
		none, err := s.MessageAttempts(ctx, m.ID+100)
		if err != nil || len(none) != 0 {
			t.Errorf("attempts of an unknown message: got %v, %v, want none", none, err)
		}
	})
}

func TestMessages(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	storetest.Each(t, storetest.Options{Now: clock}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		claim := func(estateID uint64, key, ref string, kind models.RecipientKind, id uint64) models.Message {
			t.Helper()
			m, _, err := s.ClaimMessage(ctx, newMessage(estateID, key, ref, kind, id))
			must(t, err)
			return m
		}
		m1 := claim(a.estate.ID, "a1", "ticket:1", models.RecipientResident, a.resident.ID)
		m2 := claim(a.estate.ID, "a2", "ticket:1", models.RecipientStaff, 5)
		m3 := claim(a.estate.ID, "a3", "case:7", models.RecipientResident, a.resident.ID)
		claim(b.estate.ID, "b1", "ticket:2", models.RecipientResident, b.resident.ID)
		must(t, s.RecordAttempt(ctx, m2.ID, true, "", now))

		ids := func(l store.List[models.Message]) []uint64 {
			out := []uint64{}
			for _, m := range l.Items {
				out = append(out, m.ID)
			}
			return out
		}
		tests := []struct {
			name  string
			scope store.Scope
			give  store.MessageFilter
			page  store.Page
			want  []uint64
			total int64
		}{
			{"estate A, newest first", store.Estates(a.estate.ID), store.MessageFilter{}, store.Page{}, []uint64{m3.ID, m2.ID, m1.ID}, 3},
			{"by ref", store.AllEstates(), store.MessageFilter{Ref: "ticket:1"}, store.Page{}, []uint64{m2.ID, m1.ID}, 2},
			{"by recipient", store.AllEstates(), store.MessageFilter{RecipientKind: models.RecipientResident, RecipientID: a.resident.ID}, store.Page{}, []uint64{m3.ID, m1.ID}, 2},
			{"by status", store.AllEstates(), store.MessageFilter{Status: models.MessageSent}, store.Page{}, []uint64{m2.ID}, 1},
			{"estate B's from A", store.Estates(a.estate.ID), store.MessageFilter{EstateID: b.estate.ID}, store.Page{}, []uint64{}, 0},
			{"page 2 of 2", store.Estates(a.estate.ID), store.MessageFilter{}, store.Page{Number: 2, Size: 2}, []uint64{m1.ID}, 3},
		}
		for _, tt := range tests {
			got, err := s.Messages(ctx, tt.scope, tt.give, tt.page)
			must(t, err)
			if g := ids(got); got.Total != tt.total || !slices.Equal(g, tt.want) {
				t.Errorf("%s: got %v of %d, want %v of %d", tt.name, g, got.Total, tt.want, tt.total)
			}
		}
		_, err := s.Message(ctx, store.Estates(b.estate.ID), m1.ID)
		wantErr(t, "estate A's message from B", err, models.ErrNotFound)
	})
}

func TestContacts(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		c, err := s.ResidentContact(ctx, a.resident.ID)
		if err != nil || c.Phone != "13812345678" || c.EstateID != a.estate.ID || !c.Active {
			t.Errorf("resident contact: got %+v, %v, want 13812345678 in estate %d", c, err, a.estate.ID)
		}
		st := models.Staff{EstateID: &a.estate.ID, Username: "shifu", Name: "李师傅", Phone: "13900001111", Role: models.RoleTechnician, PasswordHash: "h", Active: true}
		must(t, s.CreateStaff(ctx, store.AllEstates(), &st))
		boss := models.Staff{Username: "boss", Name: "总经理", Phone: "13900002222", Role: models.RoleCompanyAdmin, PasswordHash: "h", Active: true}
		must(t, s.CreateStaff(ctx, store.AllEstates(), &boss))
		c, err = s.StaffContact(ctx, st.ID)
		if err != nil || c.Phone != "13900001111" || c.EstateID != a.estate.ID || !c.Active {
			t.Errorf("staff contact: got %+v, %v, want 13900001111 in estate %d, active", c, err, a.estate.ID)
		}
		c, err = s.StaffContact(ctx, boss.ID)
		if err != nil || c.EstateID != 0 || c.Phone != "13900002222" {
			t.Errorf("company-level contact: got %+v, %v, want estate 0", c, err)
		}
		_, err = s.ResidentContact(ctx, a.resident.ID+100)
		wantErr(t, "unknown resident", err, models.ErrNotFound)
		_, err = s.StaffContact(ctx, boss.ID+100)
		wantErr(t, "unknown staff", err, models.ErrNotFound)
	})
}
