package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestStaffWorkload: asked for it, the staff list gives each account's open
// work, for choosing whom to dispatch to; otherwise it gives none.
func TestStaffWorkload(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	ctx := context.Background()
	tech, err := h.store.StaffByUsername(ctx, "a-technician")
	h.must(err)
	_, err = h.store.RecordTicketChange(ctx, store.TicketChange{TicketID: h.a.ticket.ID,
		Progress: models.TicketProgress{Status: models.StatusAssigned, AssigneeID: &tech.ID, Revision: 5},
		Event:    models.CaseEvent{Key: "workload-dispatch", Type: "dispatch", At: time.Now()}})
	h.must(err)
	desk := h.tokens[models.RoleCustomerService]

	var list listBody[staffView]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/staff?role=technician&workload=true", desk, nil, &list), http.StatusOK)
	found := false
	for _, st := range list.Items {
		if st.ID == tech.ID {
			found = true
			if st.OpenWork == nil || *st.OpenWork != 1 {
				t.Errorf("technician's open work: got %v, want 1 (the dispatched ticket)", st.OpenWork)
			}
		}
	}
	if !found {
		t.Fatalf("technicians: got %+v, want %d among them", list.Items, tech.ID)
	}
	var plain listBody[staffView]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/staff?role=technician", desk, nil, &plain), http.StatusOK)
	for _, st := range plain.Items {
		if st.OpenWork != nil {
			t.Errorf("without workload=true: got open work %d for %d, want none", *st.OpenWork, st.ID)
		}
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/staff?workload=maybe", desk, nil, nil), http.StatusBadRequest, codeInvalidInput, "workload")
}
