package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestResidentLinks: a link takes its estate and household from its
// resident, names only its household's ticket or bill, is used once,
// revoked once, and lists with its uses, inside scope.
func TestResidentLinks(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		all := store.AllEstates()
		tkB := models.Ticket{EstateID: b.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
			Description: "漏水", HouseholdID: &b.household.ID, ResidentID: &b.resident.ID, Channel: models.ReportPhone, FirstReceiverID: 1}
		tkB, _, err := s.CreateTicket(ctx, all, &tkB, "")
		must(t, err)

		bill := models.ResidentLink{ResidentID: a.resident.ID, Purpose: models.LinkMyBill, CreatedBy: 7, Note: "催缴短信"}
		must(t, s.CreateResidentLink(ctx, store.Estates(a.estate.ID), &bill, now))
		if bill.EstateID != a.estate.ID || bill.HouseholdID != a.household.ID || !bill.ExpiresAt.Equal(now.Add(models.DefaultLinkTTL)) {
			t.Errorf("issued: got %+v, want estate %d, household %d and the default expiry", bill, a.estate.ID, a.household.ID)
		}
		wantField(t, "resident of another estate", s.CreateResidentLink(ctx, store.Estates(a.estate.ID),
			&models.ResidentLink{ResidentID: b.resident.ID, Purpose: models.LinkMyBill}, now), "resident_id")
		wantField(t, "another household's ticket", s.CreateResidentLink(ctx, all,
			&models.ResidentLink{ResidentID: a.resident.ID, Purpose: models.LinkConfirm, SubjectID: tkB.ID}, now), "subject_id")
		wantField(t, "confirm without a ticket", s.CreateResidentLink(ctx, all,
			&models.ResidentLink{ResidentID: a.resident.ID, Purpose: models.LinkRate}, now), "subject_id")
		wantField(t, "unknown purpose", s.CreateResidentLink(ctx, all,
			&models.ResidentLink{ResidentID: a.resident.ID, Purpose: "pay"}, now), "purpose")
		wantField(t, "too long", s.CreateResidentLink(ctx, all,
			&models.ResidentLink{ResidentID: a.resident.ID, Purpose: models.LinkMyBill, ExpiresAt: now.Add(models.MaxLinkTTL + time.Hour)}, now), "expires_at")
		confirm := models.ResidentLink{ResidentID: b.resident.ID, Purpose: models.LinkConfirm, SubjectID: tkB.ID, ExpiresAt: now.Add(time.Hour)}
		must(t, s.CreateResidentLink(ctx, all, &confirm, now))

		must(t, s.UseResidentLink(ctx, confirm.ID, now))
		wantErr(t, "used twice", s.UseResidentLink(ctx, confirm.ID, now), models.ErrConflict)
		wantErr(t, "expired", s.UseResidentLink(ctx, bill.ID, now.Add(models.DefaultLinkTTL)), models.ErrConflict)

		_, err = s.RevokeResidentLink(ctx, store.Estates(a.estate.ID), confirm.ID, 9, now)
		wantErr(t, "revoke another estate's", err, models.ErrNotFound)
		got, err := s.RevokeResidentLink(ctx, store.Estates(a.estate.ID), bill.ID, 9, now.Add(time.Minute))
		must(t, err)
		again, err := s.RevokeResidentLink(ctx, all, bill.ID, 10, now.Add(time.Hour))
		must(t, err)
		if got.RevokedAt == nil || again.RevokedBy != 9 || !again.RevokedAt.Equal(now.Add(time.Minute)) || again.State(now) != models.LinkRevoked {
			t.Errorf("revoked: got %+v then %+v, want revoked once by 9", got, again)
		}
		wantErr(t, "use a revoked link", s.UseResidentLink(ctx, bill.ID, now), models.ErrConflict)

		for i, action := range []string{"view", "dispute"} {
			must(t, s.RecordResidentLinkUse(ctx, bill, &models.ResidentLinkUse{Action: action, Refused: i == 1, ClientIP: "203.0.113.7", UsedAt: now.Add(time.Duration(i) * time.Minute)}))
		}
		wantField(t, "no action", s.RecordResidentLinkUse(ctx, bill, &models.ResidentLinkUse{UsedAt: now}), "action")
		list, err := s.ResidentLinks(ctx, store.Estates(a.estate.ID), a.resident.ID, store.Page{Size: 50})
		must(t, err)
		if list.Total != 1 || len(list.Items[0].Uses) != 2 || list.Items[0].Uses[0].Action != "dispute" || !list.Items[0].Uses[0].Refused ||
			list.Items[0].Uses[1].ClientIP != "203.0.113.7" || list.Items[0].Uses[1].EstateID != a.estate.ID {
			t.Errorf("A's links: got %+v, want the bill link with its two uses, latest first", list.Items)
		}
		other, err := s.ResidentLinks(ctx, store.Estates(a.estate.ID), b.resident.ID, store.Page{Size: 50})
		must(t, err)
		if other.Total != 0 {
			t.Errorf("B's links from estate A: got %+v, want none", other.Items)
		}
		if _, err := s.ResidentLink(ctx, store.Estates(b.estate.ID), bill.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("A's link from estate B: got %v, want not found", err)
		}

		// A message's link is issued once, however often it is sent.
		var first, second models.ResidentLink
		for _, l := range []*models.ResidentLink{&first, &second} {
			*l = models.ResidentLink{ResidentID: a.resident.ID, Purpose: models.LinkMyBill, Note: "message:case-1/step-1"}
			must(t, s.IssueResidentLinkOnce(ctx, l, now))
		}
		if first.ID == 0 || second.ID != first.ID {
			t.Errorf("issued once: got links %d and %d, want the same", first.ID, second.ID)
		}
	})
}
