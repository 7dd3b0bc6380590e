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

func TestOutageLifecycleAndTicketLink(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		f := seed(t, s, "OUT")
		start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		o := models.Outage{EstateID: f.estate.ID, Utility: models.UtilityWater, Buildings: []string{"1栋"},
			StartsAt: start, PlannedEnd: start.Add(4 * time.Hour), Reason: "管网检修", CreatedBy: 7}
		must(t, s.CreateOutage(ctx, all, &o))
		if _, err := s.Outage(ctx, store.Estates(f.estate.ID+1), o.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("outage outside scope: got %v, want ErrNotFound", err)
		}
		list, err := s.Outages(ctx, all, store.OutageFilter{EstateID: f.estate.ID, Active: true}, store.Page{Size: 10})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].Status != models.OutageAnnounced || !list.Items[0].EndsAt.Equal(o.PlannedEnd) {
			t.Fatalf("active outages: got %+v, want the one announced", list.Items)
		}
		now := start.Add(time.Minute)
		ch := store.OutageChange{OutageID: o.ID, Progress: models.OutageProgress{Status: models.OutageOngoing, EndsAt: o.PlannedEnd,
			AnnouncedAt: &now, Households: 1, Revision: 2}, Event: models.CaseEvent{Key: "outage-1/2", Type: "started", At: now}}
		for i, want := range []bool{true, false} {
			if got, err := s.RecordOutageChange(ctx, ch); err != nil || got != want {
				t.Errorf("record %d: got %v, %v, want %v", i+1, got, err, want)
			}
		}
		evs, err := s.OutageEvents(ctx, all, o.ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Kind != models.KindOutage || evs[0].EstateID != f.estate.ID {
			t.Errorf("events: got %+v", evs)
		}

		// A water repair from 1栋 during the outage is linked; a lift
		// repair is not.
		hh := f.household.ID
		water := models.NewTicketRequest{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyUrgent, Category: "水",
			Description: "没水了", HouseholdID: &hh, Channel: models.ReportPhone, FirstReceiverID: 7}.Ticket(start.Add(time.Hour))
		tk, _, err := s.CreateTicket(ctx, all, &water, "")
		must(t, err)
		lift := water
		lift.ID, lift.Category = 0, "电梯"
		tk2, _, err := s.CreateTicket(ctx, all, &lift, "")
		must(t, err)
		for i := range 2 {
			got, err := s.LinkOutageTicket(ctx, tk.ID, start.Add(time.Hour))
			if err != nil || got.ID != o.ID {
				t.Fatalf("link %d: got %d, %v, want outage %d", i+1, got.ID, err, o.ID)
			}
		}
		if got, err := s.LinkOutageTicket(ctx, tk2.ID, start.Add(time.Hour)); err != nil || got.ID != 0 {
			t.Errorf("lift ticket: got outage %d, %v, want none", got.ID, err)
		}
		linked, err := s.OutageTickets(ctx, all, o.ID)
		must(t, err)
		if len(linked) != 1 || linked[0].ID != tk.ID || linked[0].AnsweredAt != nil {
			t.Fatalf("linked: got %+v, want ticket %d unanswered", linked, tk.ID)
		}
		must(t, s.MarkOutageTicketsAnswered(ctx, o.ID, []uint64{tk.ID}, start.Add(5*time.Hour)))
		linked, err = s.OutageTickets(ctx, all, o.ID)
		must(t, err)
		if len(linked) != 1 || linked[0].AnsweredAt == nil {
			t.Errorf("linked after answer: got %+v", linked)
		}
	})
}

func TestNoticeAudienceAndCounts(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		f := seed(t, s, "NTC")
		b2 := models.Building{EstateID: f.estate.ID, Name: "2栋"}
		must(t, s.CreateBuilding(ctx, all, &b2))
		var second uint64
		for i := range 3 {
			u := models.Unit{BuildingID: b2.ID, Number: []string{"101", "102", "103"}[i]}
			must(t, s.CreateUnit(ctx, all, &u))
			h := models.Household{UnitID: u.ID}
			must(t, s.CreateHousehold(ctx, all, &h))
			if i == 0 {
				second = h.ID
			}
		}
		batch, err := s.Audience(ctx, f.estate.ID, nil, 0, 2)
		must(t, err)
		if len(batch) != 2 || batch[0].HouseholdID != f.household.ID || len(batch[0].ResidentIDs) != 1 || batch[1].HouseholdID != second {
			t.Fatalf("first batch: got %+v", batch)
		}
		rest, err := s.Audience(ctx, f.estate.ID, nil, batch[1].HouseholdID, 2)
		must(t, err)
		if len(rest) != 2 {
			t.Errorf("second batch: got %+v, want 2 households", rest)
		}
		only, err := s.Audience(ctx, f.estate.ID, []string{"1栋"}, 0, 100)
		must(t, err)
		if len(only) != 1 || only[0].HouseholdID != f.household.ID {
			t.Errorf("1栋: got %+v", only)
		}

		n := models.Notice{EstateID: f.estate.ID, Title: "消防演练", Body: "周六上午", PublishAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), CreatedBy: 7}
		must(t, s.CreateNotice(ctx, all, &n))
		list, err := s.Notices(ctx, all, store.NoticeFilter{EstateID: f.estate.ID}, store.Page{Size: 10})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].Status != models.NoticeScheduled {
			t.Fatalf("notices: got %+v", list.Items)
		}
		since := time.Now().Add(-time.Hour)
		for i, ref := range []string{"notice:99", "notice:98", "notice:1"} {
			m := models.Message{Key: "notice-test/" + ref, EstateID: f.estate.ID, RecipientKind: models.RecipientResident,
				RecipientID: f.resident.ID, Channel: "sms", Address: "138****5678", Template: "community_notice", Subject: "s", Body: "b", Ref: ref}
			got, _, err := s.ClaimMessage(ctx, &m)
			must(t, err)
			if i == 2 {
				must(t, s.RecordAttempt(ctx, got.ID, true, "", time.Now()))
				_, err := s.ClaimDelivery(ctx, got.ID, models.ChannelSMS)
				must(t, err)
				_, err = s.MarkDelivery(ctx, got.ID, models.ChannelSMS, []models.DeliveryStatus{models.DeliveryPending}, models.DeliveryDelivered, "", time.Now())
				must(t, err)
			}
		}
		counts, err := s.NoticesSince(ctx, []uint64{f.resident.ID}, "community_notice", "notice:1", since)
		must(t, err)
		if counts[f.resident.ID] != 2 {
			t.Errorf("notices since: got %v, want 2 (its own left out)", counts)
		}
		c, err := s.MessageCounts(ctx, "notice:1")
		must(t, err)
		if c != (store.RefCounts{Messages: 1, Sent: 1, Delivered: 1}) {
			t.Errorf("counts: got %+v", c)
		}
		p := time.Now()
		if ok, err := s.RecordNoticeChange(ctx, store.NoticeChange{NoticeID: n.ID, Progress: models.NoticeProgress{
			Status: models.NoticePublished, PublishedAt: &p, Households: 4, Revision: 1}, Event: models.CaseEvent{Key: "notice-1/1", Type: "published", At: p}}); err != nil || !ok {
			t.Errorf("record notice: %v, %v", ok, err)
		}
		got, err := s.Notice(ctx, all, n.ID)
		must(t, err)
		if got.Status != models.NoticePublished || got.Households != 4 {
			t.Errorf("notice: got %+v", got.NoticeProgress)
		}
	})
}
