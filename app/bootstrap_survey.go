package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// seedDemoSurvey opens this quarter's satisfaction survey (满意度调查) of the
// demo estate, every household invited, with three answers, one of them
// low. It writes the read model only: the demo's campaign has no running
// process (a campaign created through the API has one).
func seedDemoSurvey(ctx context.Context, s *store.Store, estateID uint64, tz string) error {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	q := models.Quarter{Year: now.Year(), Q: (int(now.Month())-1)/3 + 1}
	_, end := q.Span(loc)
	c := models.SurveyCampaign{EstateID: estateID, Quarter: q.String(), Title: fmt.Sprintf("%d年第%d季度满意度调查", q.Year, q.Q),
		Questionnaire: models.DefaultQuestionnaire(), Sample: models.SurveySample{Mode: models.SampleAll},
		OpensAt: now.Add(-2 * 24 * time.Hour), ClosesAt: end.Add(7 * 24 * time.Hour),
		Reminders: models.DefaultSurveyPolicy().Reminders}
	if err := s.CreateSurveyCampaign(ctx, store.AllEstates(), &c); err != nil {
		return fmt.Errorf("demo survey: %w", err)
	}
	units, err := s.SurveyUnits(ctx, estateID)
	if err != nil {
		return err
	}
	if err := s.AddSurveyInvitations(ctx, c.ID, units); err != nil {
		return err
	}
	answers := [][5]int{{5, 4, 5, 4, 5}, {4, 4, 3, 4, 4}, {2, 3, 4, 3, 3}}
	n := 0
	for i, a := range answers {
		if i >= len(units) {
			break
		}
		items := []models.SurveyAnswerItem{}
		for j, id := range []string{"repair", "cleaning", "security", "greening", "service"} {
			items = append(items, models.SurveyAnswerItem{QuestionID: id, Score: a[j]})
		}
		items = append(items, models.SurveyAnswerItem{QuestionID: "contact", Choice: "微信"})
		r := models.SurveyResponse{CampaignID: c.ID, HouseholdID: units[i].HouseholdID, Items: items, AnsweredAt: now.Add(-time.Duration(i+1) * time.Hour)}
		if err := s.SubmitSurveyResponse(ctx, &r); err != nil {
			return fmt.Errorf("demo survey answer: %w", err)
		}
		n++
	}
	_, err = s.RecordSurveyChange(ctx, store.SurveyChange{CampaignID: c.ID,
		Progress: models.SurveyProgress{Status: models.SurveyOpen, Invited: len(units), Responded: n, Revision: 1},
		Event: models.CaseEvent{Key: fmt.Sprintf("demo-survey-%d/opened", c.ID), Type: "opened", FromStatus: string(models.SurveyScheduled),
			ToStatus: string(models.SurveyOpen), At: c.OpensAt}})
	return err
}
