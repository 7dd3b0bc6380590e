package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// TestDemoSurveyRuns: the demo's campaign is a live process: it opens,
// sends the invitations, takes the three saved answers and puts the low
// one on the call-back list, telling customer service and the estate
// manager who created it; its row and its detail show the process.
func TestDemoSurveyRuns(t *testing.T) {
	a := startDemo(t)
	mgr := signIn(t, a, "jingli", DemoPassword)
	var l struct{ Items []models.SurveyCampaign }
	mgr.mustCall(http.MethodGet, "/api/v1/survey-campaigns", nil, &l, http.StatusOK)
	if len(l.Items) != 1 {
		t.Fatalf("campaigns: got %d, want the demo's one", len(l.Items))
	}
	id := l.Items[0].ID
	d, err := a.Temporal.DescribeWorkflowExecution(context.Background(), workflows.SurveyWorkflowID(id), "")
	if err != nil || d.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("demo survey process %s: %+v, %v; want running", workflows.SurveyWorkflowID(id), d, err)
	}
	var sd struct {
		Campaign   models.SurveyCampaign `json:"campaign"`
		Events     []models.CaseEvent    `json:"events"`
		WorkflowID string                `json:"workflow_id"`
		Process    *workflows.SurveyView `json:"process"`
		Messages   []models.Message      `json:"messages"`
	}
	path := fmt.Sprintf("/api/v1/survey-campaigns/%d", id)
	var types []string
	waitFor(t, 60*time.Second, "the demo survey's answers taken", func() bool {
		mgr.mustCall(http.MethodGet, path, nil, &sd, http.StatusOK)
		types = types[:0]
		for _, e := range sd.Events {
			types = append(types, e.Type)
		}
		return sd.Campaign.Responded == 3 && len(sd.Campaign.Callbacks) == 1
	})
	c := sd.Campaign
	if c.Status != models.SurveyOpen || c.Invited != 8 || c.Revision < 5 || c.CreatedBy == 0 {
		t.Errorf("campaign row %+v, want open, 8 invited, written by its process", c.SurveyProgress)
	}
	if got := strings.Join(types, ","); !strings.HasPrefix(got, "created,opened,") || strings.Count(got, "answered") != 3 {
		t.Errorf("events %s, want created, opened and 3 answered", got)
	}
	if sd.WorkflowID != workflows.SurveyWorkflowID(id) || sd.Process == nil || sd.Process.Responded != 3 || len(sd.Process.Callbacks) != 1 {
		t.Errorf("live process %s: %+v, want its view with 3 answers and a call-back", sd.WorkflowID, sd.Process)
	}
	// The call-back is told to the manager who created the campaign and to
	// customer service, who make the visits.
	told := map[bool]int{}
	for _, m := range sd.Messages {
		if m.RecipientKind == models.RecipientStaff && strings.Contains(m.Key, "/callback/") {
			told[m.RecipientID == c.CreatedBy]++
		}
	}
	if told[true] != 1 || told[false] == 0 {
		t.Errorf("messages %+v, want the call-back told to the manager %d and to customer service", sd.Messages, c.CreatedBy)
	}
}
