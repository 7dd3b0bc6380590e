package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// seedDemoSurvey adds this quarter's satisfaction survey (满意度调查) of the
// demo estate, created by the estate manager (by), opened two days ago,
// every household in the sample, with three answers saved, one of them
// low. Its process (App.startDemoSurveys) opens it, sends the invitations,
// finds the saved answers in the store (as it finds any whose signal was
// lost) and puts the low one on the call-back list (回访).
func seedDemoSurvey(ctx context.Context, s *store.Store, estateID, by uint64, tz string) error {
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
		Reminders: models.DefaultSurveyPolicy().Reminders, CreatedBy: by}
	if err := s.CreateSurveyCampaign(ctx, store.AllEstates(), &c); err != nil {
		return fmt.Errorf("demo survey: %w", err)
	}
	units, err := s.SurveyUnits(ctx, estateID)
	if err != nil {
		return err
	}
	// The sample the process draws (every household) is there already, so
	// that the answers below have their invitations.
	if err := s.AddSurveyInvitations(ctx, c.ID, units); err != nil {
		return err
	}
	answers := [][5]int{{5, 4, 5, 4, 5}, {4, 4, 3, 4, 4}, {2, 3, 4, 3, 3}}
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
	}
	return nil
}

// startDemoSurveys starts the process of every demo campaign no process
// has recorded yet (revision 0), as the API starts one; one already
// started is left as it is.
func (a *App) startDemoSurveys(ctx context.Context) error {
	l, err := a.Store.SurveyCampaigns(ctx, store.AllEstates(), store.SurveyFilter{Status: models.SurveyScheduled},
		store.Page{Size: store.MaxPageSize})
	if err != nil {
		return err
	}
	for _, c := range l.Items {
		if c.Revision > 0 {
			continue
		}
		if err := a.startDemoProcess(ctx, c.EstateID, workflows.SurveyWorkflowID(c.ID), workflows.Survey,
			func(p models.Policy, tz string) any {
				return workflows.SurveyInput{Campaign: c, Policy: p, TimeZone: tz}
			}); err != nil {
			return fmt.Errorf("start demo survey %d: %w", c.ID, err)
		}
	}
	return nil
}
