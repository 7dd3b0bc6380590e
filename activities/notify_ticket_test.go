package activities_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// TestNotifierDescribesTheAssignment: the assignment text names the unit's
// address and the resident, quotes the on-site deadline (not the nearer
// contact one), and the first receiver, who is not the assignee, hears
// whom the ticket went to instead of "新工单派给您". The workflow's params
// are what it sends today: location "住户N" and the nearest deadline.
func TestNotifierDescribesTheAssignment(t *testing.T) {
	f := newNotifyFixture(t)
	ctx, all := context.Background(), store.AllEstates()
	tech := models.Staff{EstateID: &f.estate.ID, Username: "weixiu", Name: "李师傅", Phone: "13900003333", Role: models.RoleTechnician, PasswordHash: "h", Active: true}
	if err := f.store.CreateStaff(ctx, all, &tech); err != nil {
		t.Fatal(err)
	}
	tk := models.Ticket{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyUrgent, Category: "水电",
		Description: "厨房漏水", HouseholdID: &f.resident.HouseholdID, ResidentID: &f.resident.ID, Location: "厨房",
		Channel: models.ReportPhone, FirstReceiverID: f.staff.ID}
	tk, _, err := f.store.CreateTicket(ctx, all, &tk, "")
	if err != nil {
		t.Fatal(err)
	}
	reported := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	if _, err := f.store.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID,
		Progress: models.TicketProgress{Status: models.StatusAssigned, AssigneeID: &tech.ID, Revision: 2, Deadlines: []models.TicketDeadline{
			{Milestone: models.MilestoneContact, Due: reported.Add(5 * time.Minute)},
			{Milestone: models.MilestoneOnSite, Due: reported.Add(15 * time.Minute)},
			{Milestone: models.MilestoneComplete, Due: reported.Add(4 * time.Hour)},
		}},
		Event: models.CaseEvent{Key: "ticket/2", Type: "dispatch", At: reported}}); err != nil {
		t.Fatal(err)
	}
	no := strconv.FormatUint(tk.ID, 10)
	params := map[string]string{"ticket_no": no, "urgency": "urgent", "location": "住户" + strconv.FormatUint(f.resident.HouseholdID, 10),
		"summary": "水电", "due": "11-23 10:05"}
	tests := []struct {
		name        string
		to          models.Staff
		wantSubject string
		wantBody    string
	}{
		{"assignee", tech, "新工单" + no,
			"新工单派给您：" + no + "（急），地点：1栋 2-502 厨房，联系人：张三，内容：水电。请于11-23 10:15前到场处理。"},
		{"first receiver", f.staff, "工单" + no + "已派给李师傅",
			"您受理的工单" + no + "（急）已派给李师傅处理，地点：1栋 2-502 厨房，内容：水电，须于11-23 10:15前到场处理。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.send(activities.SendInput{Key: "ticket-" + no + "/2/ticket_assigned/" + tt.to.Username, EstateID: f.estate.ID,
				RecipientKind: models.RecipientStaff, RecipientID: tt.to.ID, Template: notify.TemplateTicketAssigned, Params: params, Ref: "ticket:" + no})
			if err != nil {
				t.Fatal(err)
			}
			m, err := f.store.Message(ctx, all, got.MessageID)
			if err != nil || m.Subject != tt.wantSubject || m.Body != tt.wantBody {
				t.Errorf("got %q / %q, %v, want %q / %q", m.Subject, m.Body, err, tt.wantSubject, tt.wantBody)
			}
		})
	}
}
