package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/mocks"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// TestTicketReporterPhone: a ticket opened without a resident but with the
// reporter's phone reaches them: the estate's resident with that phone, or a
// contact (报事人) recorded for it; the phone shows masked.
func TestTicketReporterPhone(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	var inputs []workflows.TicketInput
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Run(func(args mock.Arguments) { inputs = append(inputs, args.Get(3).(workflows.TicketInput)) }).
		Return(&mocks.WorkflowRun{}, nil)
	desk := h.tokens[models.RoleCustomerService]
	ticket := func(extra map[string]any) map[string]any {
		body := map[string]any{"estate_id": h.a.estate.ID, "kind": "complaint", "urgency": "normal", "category": "噪音",
			"description": "楼下夜间施工", "location": "2栋大堂", "channel": "walk_in"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}

	h.wantError(h.do(http.MethodPost, "/api/v1/tickets", desk, ticket(map[string]any{"reporter_phone": "12345"}), nil),
		http.StatusBadRequest, codeInvalidInput, "reporter_phone")
	h.wantError(h.do(http.MethodPost, "/api/v1/tickets", desk, ticket(map[string]any{"reporter_phone": "13700001111", "resident_id": h.a.resident.ID}), nil),
		http.StatusBadRequest, codeInvalidInput, "reporter_phone")
	h.wantError(h.do(http.MethodPost, "/api/v1/tickets", desk, ticket(map[string]any{"reporter_name": "王先生"}), nil),
		http.StatusBadRequest, codeInvalidInput, "reporter_name")

	// A resident's own number finds the resident.
	var known models.Ticket
	h.wantStatus(h.do(http.MethodPost, "/api/v1/tickets", desk, ticket(map[string]any{"reporter_phone": "13812345678"}), &known), http.StatusCreated)
	if known.ResidentID == nil || *known.ResidentID != h.a.resident.ID {
		t.Errorf("a resident's number: got resident %v, want %d", known.ResidentID, h.a.resident.ID)
	}
	// A new number becomes a contact, the ticket's resident.
	var walkIn models.Ticket
	r := h.do(http.MethodPost, "/api/v1/tickets", desk, ticket(map[string]any{"reporter_phone": "13700001111", "reporter_name": "王先生"}), &walkIn)
	h.wantStatus(r, http.StatusCreated)
	if strings.Contains(string(r.body), "13700001111") {
		t.Errorf("create answer shows the phone: %s", r.body)
	}
	if walkIn.ResidentID == nil || *walkIn.ResidentID == h.a.resident.ID {
		t.Fatalf("a new number: got resident %v, want a contact of its own", walkIn.ResidentID)
	}
	if len(inputs) != 2 || inputs[1].ResidentID != *walkIn.ResidentID {
		t.Errorf("process input: got %+v, want the contact %d as the resident", inputs, *walkIn.ResidentID)
	}
	var contact models.Resident
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/residents/%d", *walkIn.ResidentID), desk, nil, &contact), http.StatusOK)
	if contact.Role != models.ResidentContact || contact.Name != "王先生" || contact.Phone != "137****1111" || contact.HouseholdID != 0 {
		t.Errorf("contact: got %+v, want 王先生, role contact, phone masked, no household", contact)
	}
	// The ticket's detail shows the reporter as its contact, phone masked.
	tc.On("QueryWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil, serviceerror.NewUnavailable("down"))
	tc.On("DescribeWorkflowExecution", mock.Anything, mock.Anything, mock.Anything).Return(nil, serviceerror.NewUnavailable("down"))
	var detail ticketDetail
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", walkIn.ID), desk, nil, &detail), http.StatusOK)
	if c := detail.Contact; c == nil || len(c.Residents) != 1 || c.Residents[0].ID != contact.ID || c.Residents[0].Phone != "137****1111" {
		t.Errorf("detail contact: got %+v, want the reporter, phone masked", c)
	}
	var list listBody[ticketRow]
	h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets?estate_id=%d&kind=complaint", h.a.estate.ID), desk, nil, &list), http.StatusOK)
	for _, row := range list.Items {
		if row.ID == walkIn.ID && (row.Contact != "王先生" || row.ContactPhone != "137****1111") {
			t.Errorf("ticket list: got contact %q %q, want 王先生 137****1111", row.Contact, row.ContactPhone)
		}
	}
}

// TestComplaintAnswerBounded: the answer goes to the resident, so the API
// refuses an empty or overlong one before asking the process.
func TestComplaintAnswerBounded(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	desk := h.tokens[models.RoleCustomerService]
	path := fmt.Sprintf("/api/v1/tickets/%d/actions/answer", h.a.ticket.ID)
	h.wantError(h.do(http.MethodPost, path, desk, map[string]any{"note": "  "}, nil), http.StatusBadRequest, codeInvalidInput, "note")
	h.wantError(h.do(http.MethodPost, path, desk, map[string]any{"note": strings.Repeat("答", models.MaxComplaintAnswer+1)}, nil),
		http.StatusBadRequest, codeInvalidInput, "note")
}
