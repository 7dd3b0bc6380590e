package workflows

import (
	"testing"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

func TestCompletionTellsTheFirstReceiver(t *testing.T) {
	tests := []struct {
		name     string
		assignee uint64
		// version of changeNotifyFirstReceiverOnComplete; 0 runs the current
		// code unmocked.
		version workflow.Version
		want    []string
	}{
		{"a technician completes", tech, 0, []string{"03-02 11:00 ticket_completed staff-9"}},
		{"the first receiver did the work", receiver, 0, []string{}},
		{"a ticket started before the change", tech, workflow.DefaultVersion, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, ticketInput(models.TicketRepair, models.UrgencyUrgent, at(2, 10, 0)))
			if tt.version != 0 {
				h.env.OnGetVersion(changeNotifyFirstReceiverOnComplete, workflow.DefaultVersion, 1).Return(tt.version)
			}
			by := tt.assignee
			h.do(at(2, 10, 1), "dispatch", dispatch(by))
			h.do(at(2, 10, 2), "accept", act(ActAccept, by, models.RoleTechnician))
			h.do(at(2, 10, 3), "contact", act(ActContact, receiver, models.RoleCustomerService))
			h.do(at(2, 10, 10), "arrive", act(ActArrive, by, models.RoleTechnician))
			h.do(at(2, 11, 0), "complete", complete(by))
			h.do(at(2, 12, 0), "confirm", confirm(true))
			h.do(at(2, 13, 0), "visit", visit(5))
			h.run()
			h.wantOK("dispatch", "accept", "contact", "arrive", "complete", "confirm", "visit")

			wantLines(t, "completion messages", h.sendsOf(notify.TemplateTicketCompleted), tt.want)
			for _, s := range h.sends {
				if s.In.Template != notify.TemplateTicketCompleted {
					continue
				}
				// The revision of the completion: reported 1, dispatch 2,
				// accept 3, contact 4, arrive 5, complete 6 (no deadline
				// came near).
				if want := "ticket-12/6/ticket_completed/staff-9"; s.In.Key != want {
					t.Errorf("key: got %q, want %q", s.In.Key, want)
				}
				if p := s.In.Params; p["ticket_no"] != "12" || p["summary"] != "水电" || p["technician"] != "王师傅" {
					t.Errorf("params: got %v, want ticket 12, 水电, 王师傅", p)
				}
				if _, body, err := notify.Render(s.In.Template, s.In.Params); err != nil || body != "工单12（水电）已由王师傅完成，等待业主确认。" {
					t.Errorf("rendered: got %q, %v", body, err)
				}
			}
		})
	}
}
