package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// CreateSurveyCampaign saves a new campaign (满意度调查) inside scope,
// scheduled; one per estate and quarter (models.ErrConflict for a second).
func (s *Store) CreateSurveyCampaign(ctx context.Context, scope Scope, c *models.SurveyCampaign) error {
	if !scope.Allows(c.EstateID) {
		return fmt.Errorf("create survey campaign: estate %d: %w", c.EstateID, models.ErrNotFound)
	}
	c.ID, c.HouseholdID = 0, nil
	c.SurveyProgress = models.SurveyProgress{Status: models.SurveyScheduled, TicketIDs: []uint64{}, Callbacks: []models.SurveyCallback{}}
	c.OpensAt, c.ClosesAt = c.OpensAt.UTC(), c.ClosesAt.UTC()
	if err := translate(s.db.WithContext(ctx).Create(c).Error); err != nil {
		return fmt.Errorf("create survey campaign %s of estate %d: %w", c.Quarter, c.EstateID, err)
	}
	return nil
}

// SurveyCampaign reads one campaign inside scope.
func (s *Store) SurveyCampaign(ctx context.Context, scope Scope, id uint64) (models.SurveyCampaign, error) {
	return scoped[models.SurveyCampaign](s, ctx, scope, id, "survey campaign")
}

// SurveyFilter narrows the campaign list.
type SurveyFilter struct {
	EstateID uint64
	Status   models.SurveyStatus
	Quarter  string
}

// SurveySorts are the orders of the campaign list.
var SurveySorts = SortKeys[models.SurveyCampaign]{
	"id":       idKey(func(c models.SurveyCampaign) uint64 { return c.ID }),
	"opens_at": {Column: "opens_at", Value: func(c models.SurveyCampaign) any { return c.OpensAt }},
	"quarter":  {Column: "quarter", Value: func(c models.SurveyCampaign) any { return c.Quarter }},
}

// SurveyCampaigns lists campaigns inside scope, by default latest opening
// first (keyset pages as every sorted list).
func (s *Store) SurveyCampaigns(ctx context.Context, scope Scope, f SurveyFilter, page Page) (List[models.SurveyCampaign], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, SurveySorts, Sort{Field: "opens_at", Desc: true},
		eq("status", f.Status), eq("quarter", f.Quarter))
	if err != nil {
		return out, fmt.Errorf("list survey campaigns: %w", err)
	}
	return out, nil
}

// SurveyEvents lists a campaign's history inside scope, oldest first.
func (s *Store) SurveyEvents(ctx context.Context, scope Scope, id uint64) ([]models.CaseEvent, error) {
	if _, err := s.SurveyCampaign(ctx, scope, id); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindSurvey, ID: id})
}

// SurveyChange is one transition of a campaign.
type SurveyChange struct {
	CampaignID uint64
	Progress   models.SurveyProgress
	Event      models.CaseEvent
}

// RecordSurveyChange writes the event and the campaign's new progress in
// one transaction (recordChange).
func (s *Store) RecordSurveyChange(ctx context.Context, c SurveyChange) (recorded bool, err error) {
	p := c.Progress
	p.NextAt, p.ClosedAt = utc(p.NextAt), utc(p.ClosedAt)
	if p.TicketIDs == nil {
		p.TicketIDs = []uint64{}
	}
	if p.Callbacks == nil {
		p.Callbacks = []models.SurveyCallback{}
	}
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindSurvey, ID: c.CampaignID},
		row: &models.SurveyCampaign{SurveyProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// SurveyUnits are the households living in an estate at now, with their
// buildings: the population a campaign samples.
func (s *Store) SurveyUnits(ctx context.Context, estateID uint64) ([]models.SampleUnit, error) {
	out := []models.SampleUnit{}
	err := householdQuery(s.db.WithContext(ctx), AllEstates()).
		Select("households.id AS household_id, buildings.name AS building").
		Where("households.estate_id = ? AND households.status = ?", estateID, models.HouseholdActive).
		Order("households.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("survey units of estate %d: %w", estateID, translate(err))
	}
	return out, nil
}

// AddSurveyInvitations records the households of a campaign's sample, once
// each: a household already invited keeps its row.
func (s *Store) AddSurveyInvitations(ctx context.Context, campaignID uint64, units []models.SampleUnit) error {
	if len(units) == 0 {
		return nil
	}
	rows := make([]models.SurveyInvitation, len(units))
	for i, u := range units {
		rows[i] = models.SurveyInvitation{CampaignID: campaignID, HouseholdID: u.HouseholdID, Building: u.Building}
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200).Error
	if err != nil {
		return fmt.Errorf("invitations of survey %d: %w", campaignID, translate(err))
	}
	return nil
}

// SurveyInvitations lists a campaign's invitations by household; pending
// keeps those without a response.
func (s *Store) SurveyInvitations(ctx context.Context, campaignID uint64, pending bool) ([]models.SurveyInvitation, error) {
	out := []models.SurveyInvitation{}
	q := s.db.WithContext(ctx).Where("campaign_id = ?", campaignID)
	if pending {
		q = q.Where("NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.campaign_id = survey_invitations.campaign_id AND r.household_id = survey_invitations.household_id)")
	}
	if err := q.Order("household_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("invitations of survey %d: %w", campaignID, translate(err))
	}
	return out, nil
}

// SurveyInvitation reads the invitation of a household to a campaign.
func (s *Store) SurveyInvitation(ctx context.Context, campaignID, householdID uint64) (models.SurveyInvitation, error) {
	var inv models.SurveyInvitation
	err := s.db.WithContext(ctx).Where("campaign_id = ? AND household_id = ?", campaignID, householdID).Take(&inv).Error
	if err != nil {
		return inv, fmt.Errorf("invitation of household %d to survey %d: %w", householdID, campaignID, translate(err))
	}
	return inv, nil
}

// MarkSurveyInvited records that an invitation (reminder 0) or reminder n
// went to the household's resident by link linkID at at.
func (s *Store) MarkSurveyInvited(ctx context.Context, id, residentID, linkID uint64, reminder int, at time.Time) error {
	at = at.UTC()
	set := map[string]any{"resident_id": residentID, "link_id": linkID}
	if reminder == 0 {
		set["invited_at"] = at
	} else {
		set["reminded_at"], set["reminders"] = at, reminder
	}
	if err := translate(s.db.WithContext(ctx).Model(&models.SurveyInvitation{}).Where("id = ?", id).Updates(set).Error); err != nil {
		return fmt.Errorf("mark survey invitation %d: %w", id, err)
	}
	return nil
}

// SurveyContact is the resident a household's survey goes to: an owner
// first, then a tenant, the earliest registered; 0 for none.
func (s *Store) SurveyContact(ctx context.Context, householdID uint64) (uint64, error) {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&models.Resident{}).Where("household_id = ? AND role IN ?", householdID,
		[]models.ResidentRole{models.ResidentOwner, models.ResidentTenant}).
		Order(clause.Expr{SQL: "CASE WHEN role = ? THEN 0 ELSE 1 END, id", Vars: []any{models.ResidentOwner}}).
		Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("survey contact of household %d: %w", householdID, translate(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// SubmitSurveyResponse saves a household's answers to an open campaign,
// once: a second answer is models.ErrConflict, a household not invited
// models.ErrNotFound.
func (s *Store) SubmitSurveyResponse(ctx context.Context, r *models.SurveyResponse) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var inv models.SurveyInvitation
		if err := tx.Where("campaign_id = ? AND household_id = ?", r.CampaignID, r.HouseholdID).Take(&inv).Error; err != nil {
			return translate(err)
		}
		var c models.SurveyCampaign
		if err := tx.Select("id", "estate_id").Take(&c, r.CampaignID).Error; err != nil {
			return translate(err)
		}
		r.ID, r.EstateID, r.Building, r.AnsweredAt = 0, c.EstateID, inv.Building, r.AnsweredAt.UTC()
		return translate(tx.Create(r).Error)
	})
	if err != nil {
		return fmt.Errorf("answer survey %d for household %d: %w", r.CampaignID, r.HouseholdID, err)
	}
	return nil
}

// SurveyResponses lists a campaign's responses by household.
func (s *Store) SurveyResponses(ctx context.Context, campaignID uint64) ([]models.SurveyResponse, error) {
	out := []models.SurveyResponse{}
	if err := s.db.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("household_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("responses of survey %d: %w", campaignID, translate(err))
	}
	return out, nil
}

// SurveyResults reads a campaign inside scope and aggregates its answers
// under the estate's survey policy.
func (s *Store) SurveyResults(ctx context.Context, scope Scope, id uint64) (models.SurveyResults, error) {
	c, err := s.SurveyCampaign(ctx, scope, id)
	if err != nil {
		return models.SurveyResults{}, err
	}
	p, err := s.Policy(ctx, scope, c.EstateID)
	if err != nil {
		return models.SurveyResults{}, err
	}
	invs, err := s.SurveyInvitations(ctx, id, false)
	if err != nil {
		return models.SurveyResults{}, err
	}
	units := make([]models.SampleUnit, len(invs))
	for i, inv := range invs {
		units[i] = models.SampleUnit{HouseholdID: inv.HouseholdID, Building: inv.Building}
	}
	resps, err := s.SurveyResponses(ctx, id)
	if err != nil {
		return models.SurveyResults{}, err
	}
	return models.AggregateSurvey(p.Policy.Surveys(), c.Questionnaire, units, resps), nil
}

// PerformanceRows are what a month's staff performance (绩效) is computed
// from: the estate's staff, the tickets closed in the month with an
// assignee, and the survey scores given in it with their areas.
type PerformanceRows struct {
	Staff   []models.PerfStaff
	Tickets []models.PerfTicket
	Scores  []models.PerfSurveyScore
}

// PerformanceRows reads the rows of estate's month from..to (the month's
// first instant and the next's) inside scope.
func (s *Store) PerformanceRows(ctx context.Context, scope Scope, estateID uint64, from, to time.Time) (PerformanceRows, error) {
	out := PerformanceRows{Staff: []models.PerfStaff{}, Tickets: []models.PerfTicket{}, Scores: []models.PerfSurveyScore{}}
	if !scope.Allows(estateID) {
		return out, fmt.Errorf("performance of estate %d: %w", estateID, models.ErrNotFound)
	}
	db := s.db.WithContext(ctx)
	from, to = from.UTC(), to.UTC()
	if err := db.Model(&models.Staff{}).Where("estate_id = ?", estateID).Order("id").
		Select("id, name, role").Scan(&out.Staff).Error; err != nil {
		return out, fmt.Errorf("performance staff of estate %d: %w", estateID, translate(err))
	}
	var ts []struct {
		ID          uint64
		AssigneeID  uint64
		Score       *int
		ReopenCount int
	}
	if err := db.Model(&models.Ticket{}).Where("estate_id = ? AND assignee_id IS NOT NULL AND closed_at >= ? AND closed_at < ?", estateID, from, to).
		Order("id").Select("id, assignee_id, score, reopen_count").Scan(&ts).Error; err != nil {
		return out, fmt.Errorf("performance tickets of estate %d: %w", estateID, translate(err))
	}
	ids := make([]uint64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	counts := map[uint64][2]int{}
	if len(ids) > 0 {
		var ds []models.SLADeadline
		if err := db.Where("ticket_id IN ? AND outcome IN ?", ids, []models.SLAOutcome{models.SLAMet, models.SLALate}).
			Find(&ds).Error; err != nil {
			return out, fmt.Errorf("performance deadlines of estate %d: %w", estateID, translate(err))
		}
		for _, d := range ds {
			c := counts[d.TicketID]
			c[0]++
			if d.Outcome == models.SLAMet {
				c[1]++
			}
			counts[d.TicketID] = c
		}
	}
	for _, t := range ts {
		c := counts[t.ID]
		out.Tickets = append(out.Tickets, models.PerfTicket{TicketID: t.ID, AssigneeID: t.AssigneeID, Counted: c[0], Met: c[1],
			Score: t.Score, Reopens: t.ReopenCount})
	}
	var rs []models.SurveyResponse
	if err := db.Where("estate_id = ? AND answered_at >= ? AND answered_at < ?", estateID, from, to).Order("id").Find(&rs).Error; err != nil {
		return out, fmt.Errorf("performance surveys of estate %d: %w", estateID, translate(err))
	}
	questions := map[uint64]map[string]models.ServiceArea{}
	for _, r := range rs {
		qs, ok := questions[r.CampaignID]
		if !ok {
			var c models.SurveyCampaign
			if err := db.Select("id", "questionnaire").Take(&c, r.CampaignID).Error; err != nil {
				return out, fmt.Errorf("performance surveys of estate %d: %w", estateID, translate(err))
			}
			qs = map[string]models.ServiceArea{}
			for _, q := range c.Questionnaire.Questions {
				if q.Type == models.QuestionScore {
					qs[q.ID] = q.Area
				}
			}
			questions[r.CampaignID] = qs
		}
		for _, it := range r.Items {
			if a, ok := qs[it.QuestionID]; ok && it.Score >= models.MinScore && it.Score <= models.MaxScore {
				out.Scores = append(out.Scores, models.PerfSurveyScore{ResponseID: r.ID, Area: a, Score: it.Score})
			}
		}
	}
	return out, nil
}
