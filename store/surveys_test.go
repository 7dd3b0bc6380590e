package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// surveyEstate is an estate of two buildings, three households with an
// owner each and one moved out.
func surveyEstate(t *testing.T, s *store.Store, code string) (estate uint64, households []uint64, residents []uint64) {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	estate = ticketEstate(t, s, code)
	for i, b := range []string{"1栋", "1栋", "2栋", "2栋"} {
		bl := models.Building{EstateID: estate, Name: b}
		if i%2 == 0 {
			must(t, s.CreateBuilding(ctx, all, &bl))
		} else {
			must(t, s.CreateBuilding(ctx, all, &models.Building{EstateID: estate, Name: b + "附"}))
			continue
		}
		for _, no := range []string{"101", "102"} {
			u := models.Unit{BuildingID: bl.ID, Number: no}
			must(t, s.CreateUnit(ctx, all, &u))
			h := models.Household{UnitID: u.ID}
			must(t, s.CreateHousehold(ctx, all, &h))
			r := models.Resident{HouseholdID: h.ID, Name: "业主", Phone: "13812345678", Role: models.ResidentOwner}
			must(t, s.CreateResident(ctx, all, &r))
			households, residents = append(households, h.ID), append(residents, r.ID)
		}
	}
	return estate, households, residents
}

func TestSurveyCampaignStore(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		estate, hh, residents := surveyEstate(t, s, "SV")
		now := time.Date(2026, 10, 5, 2, 0, 0, 0, time.UTC)
		c := models.SurveyCampaign{EstateID: estate, Quarter: "2026Q4", Title: "四季度满意度调查",
			Questionnaire: models.DefaultQuestionnaire(), Sample: models.SurveySample{Mode: models.SampleAll},
			OpensAt: now, ClosesAt: now.Add(10 * 24 * time.Hour), Reminders: []models.Duration{models.Duration(3 * models.Day)}, CreatedBy: 1}
		must(t, s.CreateSurveyCampaign(ctx, all, &c))
		dup := c
		if err := s.CreateSurveyCampaign(ctx, all, &dup); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("second campaign of the quarter: %v, want a conflict", err)
		}
		if _, err := s.SurveyCampaign(ctx, store.Estates(estate+99), c.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outside scope: %v", err)
		}

		units, err := s.SurveyUnits(ctx, estate)
		must(t, err)
		if len(units) != 4 || units[0].Building != "1栋" || units[3].Building != "2栋" {
			t.Fatalf("units %+v", units)
		}
		must(t, s.AddSurveyInvitations(ctx, c.ID, units))
		must(t, s.AddSurveyInvitations(ctx, c.ID, units[:2])) // again: no change
		invs, err := s.SurveyInvitations(ctx, c.ID, false)
		must(t, err)
		if len(invs) != 4 {
			t.Fatalf("%d invitations, want 4", len(invs))
		}
		contact, err := s.SurveyContact(ctx, hh[0])
		must(t, err)
		if contact != residents[0] {
			t.Fatalf("contact %d, want %d", contact, residents[0])
		}
		// The survey link names the campaign, for a household invited.
		l := models.ResidentLink{ResidentID: residents[0], Purpose: models.LinkSurvey, SubjectID: c.ID}
		must(t, s.CreateResidentLink(ctx, all, &l, now))
		must(t, s.MarkSurveyInvited(ctx, invs[0].ID, residents[0], l.ID, 0, now))
		bad := models.ResidentLink{ResidentID: residents[0], Purpose: models.LinkSurvey, SubjectID: c.ID + 1}
		if err := s.CreateResidentLink(ctx, all, &bad, now); err == nil {
			t.Fatal("a link to a campaign the household is not invited to was issued")
		}

		answer := func(h uint64, repair, service int) error {
			return s.SubmitSurveyResponse(ctx, &models.SurveyResponse{CampaignID: c.ID, HouseholdID: h, ResidentID: 1,
				Items:      []models.SurveyAnswerItem{{QuestionID: "repair", Score: repair}, {QuestionID: "service", Score: service}},
				AnsweredAt: now.Add(time.Hour)})
		}
		must(t, answer(hh[0], 5, 4))
		must(t, answer(hh[2], 2, 3))
		if err := answer(hh[0], 1, 1); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("second answer: %v, want a conflict", err)
		}
		if err := answer(hh[3]+100, 1, 1); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("answer of a household not invited: %v", err)
		}
		pending, err := s.SurveyInvitations(ctx, c.ID, true)
		must(t, err)
		if len(pending) != 2 || pending[0].HouseholdID != hh[1] || pending[1].HouseholdID != hh[3] {
			t.Fatalf("pending %+v", pending)
		}
		res, err := s.SurveyResults(ctx, all, c.ID)
		must(t, err)
		if res.Invited != 4 || res.Responses != 2 || res.LowResponses != 1 || res.Questions[0].Scores.Mean != 3.5 {
			t.Fatalf("results %+v", res)
		}

		// The process records its transitions in the one journal.
		closed := now.Add(10 * 24 * time.Hour)
		ev := models.CaseEvent{Key: "survey-1/closed", Type: "closed", FromStatus: "open", ToStatus: "closed", At: closed}
		ok, err := s.RecordSurveyChange(ctx, store.SurveyChange{CampaignID: c.ID, Event: ev,
			Progress: models.SurveyProgress{Status: models.SurveyClosed, Invited: 4, Responded: 2, ClosedAt: &closed, Revision: 3}})
		must(t, err)
		again, err := s.RecordSurveyChange(ctx, store.SurveyChange{CampaignID: c.ID, Event: ev,
			Progress: models.SurveyProgress{Status: models.SurveyOpen, Revision: 2}})
		must(t, err)
		if !ok || again {
			t.Fatalf("recorded %v then %v", ok, again)
		}
		got, err := s.SurveyCampaign(ctx, all, c.ID)
		must(t, err)
		if got.Status != models.SurveyClosed || got.Responded != 2 || got.Revision != 3 || len(got.Questionnaire.Questions) != 7 {
			t.Fatalf("campaign %+v", got)
		}
		evs, err := s.SurveyEvents(ctx, all, c.ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Kind != models.KindSurvey || evs[0].EstateID != estate {
			t.Fatalf("events %+v", evs)
		}
		list, err := s.SurveyCampaigns(ctx, store.Estates(estate), store.SurveyFilter{Status: models.SurveyClosed}, store.Page{Size: 10})
		must(t, err)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Fatalf("list %+v", list)
		}
	})
}

func TestPerformanceRows(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		estate, hh, _ := surveyEstate(t, s, "PF")
		tech := addStaff(t, s, estate, "pf-tech", models.RoleTechnician, true)
		from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		close := func(reported time.Time, closed time.Time, met bool, score int, reopens int) uint64 {
			t.Helper()
			tk, _, err := s.CreateTicket(ctx, all, newTicket(estate, reported), "pf-"+reported.String())
			must(t, err)
			due := reported.Add(time.Hour)
			done := reported.Add(30 * time.Minute)
			if !met {
				done = reported.Add(2 * time.Hour)
			}
			sc := score
			_, err = s.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID,
				Progress: models.TicketProgress{Status: models.StatusClosed, AssigneeID: &tech, Score: &sc, ReopenCount: reopens,
					ClosedAt: &closed, Revision: 1, Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneComplete, Due: due, DoneAt: &done}}},
				Event: models.CaseEvent{Key: fmt.Sprintf("ticket-%d/close", tk.ID), Type: "closed", At: closed}})
			must(t, err)
			return tk.ID
		}
		a := close(from.Add(24*time.Hour), from.Add(26*time.Hour), true, 5, 0)
		b := close(from.Add(48*time.Hour), from.Add(52*time.Hour), false, 2, 1)
		close(from.Add(-48*time.Hour), from.Add(-47*time.Hour), true, 5, 0) // last month
		c := models.SurveyCampaign{EstateID: estate, Quarter: "2026Q4", Questionnaire: models.DefaultQuestionnaire(),
			Sample: models.SurveySample{Mode: models.SampleAll}, OpensAt: from, ClosesAt: from.Add(240 * time.Hour)}
		must(t, s.CreateSurveyCampaign(ctx, all, &c))
		units, err := s.SurveyUnits(ctx, estate)
		must(t, err)
		must(t, s.AddSurveyInvitations(ctx, c.ID, units))
		r := models.SurveyResponse{CampaignID: c.ID, HouseholdID: hh[0], AnsweredAt: from.Add(time.Hour),
			Items: []models.SurveyAnswerItem{{QuestionID: "repair", Score: 4}, {QuestionID: "service", Score: 5}}}
		must(t, s.SubmitSurveyResponse(ctx, &r))

		rows, err := s.PerformanceRows(ctx, store.Estates(estate), estate, from, from.AddDate(0, 1, 0))
		must(t, err)
		if len(rows.Tickets) != 2 || rows.Tickets[0].TicketID != a || rows.Tickets[1].TicketID != b {
			t.Fatalf("tickets %+v", rows.Tickets)
		}
		if rows.Tickets[0].Met != 1 || rows.Tickets[0].Counted != 1 || rows.Tickets[1].Met != 0 || rows.Tickets[1].Reopens != 1 {
			t.Fatalf("ticket figures %+v", rows.Tickets)
		}
		if len(rows.Scores) != 2 || rows.Scores[0].Area != models.AreaRepair || rows.Scores[0].ResponseID != r.ID {
			t.Fatalf("scores %+v", rows.Scores)
		}
		perf := models.StaffPerformances(models.DefaultSurveyPolicy(), rows.Staff, rows.Tickets, rows.Scores)
		var mine models.StaffPerformance
		for _, p := range perf {
			if p.Staff.ID == tech {
				mine = p
			}
		}
		if mine.Tickets != 2 || *mine.SLAMet.Value != 50 || *mine.Survey.Value != 4 || len(mine.SLAMissed) != 1 || mine.SLAMissed[0] != b {
			t.Fatalf("performance %+v", mine)
		}
		if _, err := s.PerformanceRows(ctx, store.Estates(estate+1), estate, from, from.AddDate(0, 1, 0)); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outside scope: %v", err)
		}
	})
}
