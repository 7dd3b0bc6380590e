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

func TestAttachments(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		ticket, _, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(a, at), "")
		must(t, err)
		ref := models.RefOf(models.RefTicket, ticket.ID)

		estate, err := s.AttachmentOwner(ctx, store.Estates(a), ref)
		must(t, err)
		if estate != a {
			t.Errorf("owner of %s: got estate %d, want %d", ref, estate, a)
		}
		for _, give := range []string{ref + "x", "visit:1", "ticket:0", "ticket:999999", "followup:999999", "dispute:999999"} {
			_, err := s.AttachmentOwner(ctx, store.AllEstates(), give)
			wantErr(t, "owner of "+give, err, models.ErrNotFound)
		}
		_, err = s.AttachmentOwner(ctx, store.Estates(b), ref)
		wantErr(t, "owner seen from another estate", err, models.ErrNotFound)

		staff := uint64(7)
		photo := func(hash string, kind models.AttachmentKind, when time.Time) *models.Attachment {
			return &models.Attachment{EstateID: a, Ref: ref, Kind: kind, Hash: hash, ThumbHash: "t" + hash[1:],
				Size: 1234, Mime: "image/jpeg", Width: 40, Height: 20, StaffID: &staff, Uploader: "staff:7", UploadedAt: when}
		}
		first := photo("a1", models.AttachBefore, at)
		created, err := s.AddAttachment(ctx, first)
		must(t, err)
		if !created || first.ID == 0 {
			t.Fatalf("first photo: got created %v id %d, want a new record", created, first.ID)
		}
		again := photo("a1", models.AttachBefore, at.Add(time.Minute))
		created, err = s.AddAttachment(ctx, again)
		must(t, err)
		if created || again.ID != first.ID {
			t.Errorf("the same photo again: got created %v id %d, want the record %d", created, again.ID, first.ID)
		}
		after := photo("a1", models.AttachAfter, at.Add(30*time.Minute))
		_, err = s.AddAttachment(ctx, after)
		must(t, err)

		list, err := s.Attachments(ctx, store.Estates(a), ref)
		must(t, err)
		if len(list) != 2 || list[0].ID != first.ID || list[1].Kind != models.AttachAfter || list[0].StaffID == nil || *list[0].StaffID != 7 {
			t.Errorf("photos of %s: got %+v, want before then after", ref, list)
		}
		if !list[0].UploadedAt.Equal(at) {
			t.Errorf("uploaded at: got %v, want %v", list[0].UploadedAt, at)
		}
		other, err := s.Attachments(ctx, store.Estates(b), ref)
		must(t, err)
		if len(other) != 0 {
			t.Errorf("photos seen from another estate: got %d, want none", len(other))
		}
		_, err = s.Attachment(ctx, store.Estates(b), first.ID)
		wantErr(t, "a photo seen from another estate", err, models.ErrNotFound)
		got, err := s.Attachment(ctx, store.Estates(a), first.ID)
		must(t, err)
		if got.Hash != "a1" {
			t.Errorf("photo %d: got hash %q, want a1", first.ID, got.Hash)
		}

		n, earliest, err := s.UploadsSince(ctx, "staff:7", at.Add(-time.Hour))
		must(t, err)
		if n != 2 || !earliest.Equal(at) {
			t.Errorf("uploads in the hour: got %d from %v, want 2 from %v", n, earliest, at)
		}
		n, earliest, err = s.UploadsSince(ctx, "staff:7", at)
		must(t, err)
		if n != 1 || !earliest.Equal(at.Add(30*time.Minute)) {
			t.Errorf("uploads after the first: got %d from %v, want 1", n, earliest)
		}
		n, _, err = s.UploadsSince(ctx, "link:1", at.Add(-time.Hour))
		if err != nil || n != 0 {
			t.Errorf("another uploader: got %d, %v, want 0", n, err)
		}
		if errors.Is(err, models.ErrNotFound) {
			t.Error("no uploads is not an error")
		}
	})
}
