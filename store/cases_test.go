package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// The journals each kind of process kept before the one case journal, as
// their rows were: Migrate copies them into case_events.
type oldTicketEvent struct {
	ID         uint64
	TicketID   uint64
	EstateID   uint64
	Key        string `gorm:"column:event_key"`
	Type       string
	ActorID    *uint64
	FromStatus string
	ToStatus   string
	Detail     map[string]string `gorm:"serializer:json;type:text"`
	At         time.Time
	Revision   int64
	CreatedAt  time.Time
}

func (oldTicketEvent) TableName() string { return "ticket_events" }

type oldCollectionEvent struct {
	ID          uint64
	CaseID      uint64
	EstateID    uint64
	HouseholdID uint64
	Key         string `gorm:"column:event_key"`
	Type        string
	ActorID     *uint64
	Channel     string
	Outcome     string
	Stage       string
	Detail      map[string]string `gorm:"serializer:json;type:text"`
	At          time.Time
	Revision    int64
	CreatedAt   time.Time
}

func (oldCollectionEvent) TableName() string { return "collection_events" }

func TestMigrateCopiesTheOldJournals(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "A")
		all := store.AllEstates()
		tk := models.Ticket{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
			Description: "漏水", HouseholdID: &f.household.ID, Channel: models.ReportPhone, FirstReceiverID: 1}
		tk, _, err := s.CreateTicket(ctx, all, &tk, "")
		must(t, err)
		db := s.DB()
		must(t, db.AutoMigrate(&oldTicketEvent{}, &oldCollectionEvent{}))
		at := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
		must(t, db.Create(&oldTicketEvent{TicketID: tk.ID, EstateID: f.estate.ID, Key: "ticket-1/1", Type: "reported",
			ToStatus: "new", Detail: map[string]string{"urgency": "normal"}, At: at, Revision: 1, CreatedAt: at}).Error)
		must(t, db.Create(&oldCollectionEvent{CaseID: 7, EstateID: f.estate.ID, HouseholdID: f.household.ID, Key: "collection-1/1",
			Type: "reminder", Channel: "sms", Outcome: "sent", Stage: "dunning", At: at, Revision: 1, CreatedAt: at}).Error)

		for range 2 { // the copy runs at every start, once per event
			must(t, s.Migrate(ctx))
		}
		evs, err := s.TicketEvents(ctx, all, tk.ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Kind != models.KindTicket || evs[0].CaseID != tk.ID || evs[0].HouseholdID != f.household.ID ||
			evs[0].ToStatus != "new" || evs[0].Detail["urgency"] != "normal" || !evs[0].At.Equal(at) {
			t.Errorf("ticket journal after migration: got %+v, want the old event once, with its household", evs)
		}
		hist, err := s.HouseholdEvents(ctx, all, f.household.ID)
		must(t, err)
		if len(hist) != 1 || hist[0].Kind != models.KindCollection || hist[0].CaseID != 7 || hist[0].ToStatus != "dunning" ||
			hist[0].Channel != models.ChannelSMS || hist[0].Outcome != "sent" {
			t.Errorf("collection journal after migration: got %+v, want the old event once, its stage as to_status", hist)
		}
	})
}

// One ticket's and one case's events may share a key text: keys are unique
// within a kind.
func TestJournalKeysAreUniquePerKind(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "A")
		all := store.AllEstates()
		tk := models.Ticket{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
			Description: "漏水", HouseholdID: &f.household.ID, Channel: models.ReportPhone, FirstReceiverID: 1}
		tk, _, err := s.CreateTicket(ctx, all, &tk, "")
		must(t, err)
		cs, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: f.household.ID, WorkflowID: "collection-x", Key: "k",
			OpenedAt: time.Now(), CaseProgress: models.CaseProgress{Stage: models.StageDunning}})
		must(t, err)
		ev := models.CaseEvent{Key: "same/1", Type: "x", At: time.Now()}
		for _, rec := range []func() (bool, error){
			func() (bool, error) {
				return s.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID, Event: ev,
					Progress: models.TicketProgress{Status: models.StatusNew, Revision: 1}})
			},
			func() (bool, error) {
				return s.RecordCaseChange(ctx, store.CaseChange{CaseID: cs.ID, Event: ev,
					Progress: models.CaseProgress{Stage: models.StageDunning, Revision: 1}})
			},
		} {
			ok, err := rec()
			if err != nil || !ok {
				t.Errorf("record %q: got %v, %v, want recorded", ev.Key, ok, err)
			}
		}
	})
}
