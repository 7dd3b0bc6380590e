package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// Surveys are the side effects of a satisfaction survey campaign (满意度调查):
// drawing its sample and sending its invitations and reminders in batches,
// each batch one activity, idempotent by its messages' keys.
type Surveys struct {
	Store    *store.Store
	Notifier *Notifier
}

// RecordSurvey writes a survey campaign's transition.
func (a *Cases) RecordSurvey(ctx context.Context, in SurveyRecordInput) (RecordResult, error) {
	done, err := a.Store.RecordSurveyChange(ctx, in)
	return recorded(done, err, "survey", in.CampaignID)
}

// SurveyRecordInput is one transition of a campaign for the read model.
type SurveyRecordInput = store.SurveyChange

// DrawSurveyInput names the campaign whose sample is drawn.
type DrawSurveyInput struct {
	CampaignID uint64
	EstateID   uint64
	Sample     models.SurveySample
}

// DrawSurveyResult is how many households the sample holds.
type DrawSurveyResult struct {
	Invited int
}

// DrawSurveySample draws the campaign's sample from the households living
// in the estate now (models.DrawSample, seeded by the campaign) and records
// an invitation for each; drawn again, the rows already there stay.
func (a *Surveys) DrawSurveySample(ctx context.Context, in DrawSurveyInput) (DrawSurveyResult, error) {
	units, err := a.Store.SurveyUnits(ctx, in.EstateID)
	if err != nil {
		return DrawSurveyResult{}, err
	}
	if err := a.Store.AddSurveyInvitations(ctx, in.CampaignID, models.DrawSample(in.CampaignID, in.Sample, units)); err != nil {
		return DrawSurveyResult{}, err
	}
	invs, err := a.Store.SurveyInvitations(ctx, in.CampaignID, false)
	if err != nil {
		return DrawSurveyResult{}, err
	}
	return DrawSurveyResult{Invited: len(invs)}, nil
}

// SurveyBatchInput is one batch of invitations (Reminder 0) or of reminder
// Reminder to the households not yet answered: at most Limit households
// after household After, in order.
type SurveyBatchInput struct {
	CampaignID uint64
	EstateID   uint64
	Reminder   int
	After      uint64
	Limit      int
	// Params are the message's params (estate, title, closes,
	// service_phone); the link is added per household.
	Params map[string]string
	// ClosesAt ends the links.
	ClosesAt time.Time
}

// SurveyBatchResult says how far the batch went: Last is the last household
// it covered (the next batch starts after it), Done that none are left.
type SurveyBatchResult struct {
	Sent, Skipped int
	Last          uint64
	Done          bool
}

// SendSurveyBatch sends one batch: to each household's contact (an owner
// first) a link to the survey, issued once per household, by the message
// keyed by campaign, round and household, so that a retried batch sends
// nothing twice. A household without a resident, or whose message is
// refused for good, is skipped.
func (a *Surveys) SendSurveyBatch(ctx context.Context, in SurveyBatchInput) (SurveyBatchResult, error) {
	invs, err := a.Store.SurveyInvitations(ctx, in.CampaignID, in.Reminder > 0)
	if err != nil {
		return SurveyBatchResult{}, err
	}
	out := SurveyBatchResult{Last: in.After}
	n := 0
	for _, inv := range invs {
		if inv.HouseholdID <= in.After {
			continue
		}
		if n == in.Limit {
			return out, nil
		}
		n++
		out.Last = inv.HouseholdID
		sent, err := a.invite(ctx, in, inv)
		if err != nil {
			return SurveyBatchResult{}, err
		}
		if sent {
			out.Sent++
		} else {
			out.Skipped++
		}
	}
	out.Done = true
	return out, nil
}

func (a *Surveys) invite(ctx context.Context, in SurveyBatchInput, inv models.SurveyInvitation) (bool, error) {
	resident, err := a.Store.SurveyContact(ctx, inv.HouseholdID)
	if err != nil || resident == 0 {
		return false, err
	}
	prefix := fmt.Sprintf("survey-%d/household-%d", in.CampaignID, inv.HouseholdID)
	params := map[string]string{}
	for k, v := range in.Params {
		params[k] = v
	}
	l := models.ResidentLink{ResidentID: resident, Purpose: models.LinkSurvey, SubjectID: in.CampaignID, ExpiresAt: in.ClosesAt, Note: prefix}
	n := a.Notifier
	switch err := a.Store.IssueResidentLinkOnce(ctx, &l, n.now()); {
	case errors.As(err, new(*models.ValidationError)):
		n.log().WarnContext(ctx, "no survey link", "campaign", in.CampaignID, "household", inv.HouseholdID, "err", err)
	case err != nil:
		return false, err
	case n.Links != nil:
		params["survey_link"] = n.Links.LinkURL(auth.PagePath(string(models.LinkSurvey)), l.ID)
	}
	template, key := notify.TemplateSurveyInvitation, prefix+"/invite"
	if in.Reminder > 0 {
		template, key = notify.TemplateSurveyReminder, prefix+"/remind-"+strconv.Itoa(in.Reminder)
	}
	_, err = n.Send(ctx, SendInput{Key: key, EstateID: in.EstateID, RecipientKind: models.RecipientResident, RecipientID: resident,
		Template: template, Params: params, Ref: "survey:" + strconv.FormatUint(in.CampaignID, 10)})
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.NonRetryable() {
		n.log().WarnContext(ctx, "survey message refused", "key", key, "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, a.Store.MarkSurveyInvited(ctx, inv.ID, resident, l.ID, in.Reminder, n.now())
}

// UnseenSurveyInput names a campaign and the responses its process has
// taken already (Seen, by response ID).
type UnseenSurveyInput struct {
	CampaignID uint64
	Seen       []uint64
}

// UnseenSurveyResult lists the campaign's saved responses its process has
// not taken, by household.
type UnseenSurveyResult struct {
	Responses []models.SurveyResponse
}

// UnseenSurveyResponses lists the responses saved in the store that the
// campaign's process has not heard of: the resident page saves an answer
// and then signals it, and a signal lost in between (a crash, a failed
// call) is found here. It only reads, so it may run any number of times.
func (a *Surveys) UnseenSurveyResponses(ctx context.Context, in UnseenSurveyInput) (UnseenSurveyResult, error) {
	all, err := a.Store.SurveyResponses(ctx, in.CampaignID)
	if err != nil {
		return UnseenSurveyResult{}, err
	}
	seen := make(map[uint64]bool, len(in.Seen))
	for _, id := range in.Seen {
		seen[id] = true
	}
	out := UnseenSurveyResult{Responses: []models.SurveyResponse{}}
	for _, r := range all {
		if !seen[r.ID] {
			out.Responses = append(out.Responses, r)
		}
	}
	return out, nil
}
