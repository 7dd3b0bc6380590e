package api

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

func TestContractRoutes(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	tc := &mocks.Client{}
	withTemporal(h, tc)
	var started []client.StartWorkflowOptions
	var inputs []workflows.ContractInput
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).
		Run(func(args mock.Arguments) {
			started = append(started, args.Get(1).(client.StartWorkflowOptions))
			inputs = append(inputs, args.Get(3).(workflows.ContractInput))
		}).Return(&mocks.WorkflowRun{}, nil)
	c := models.Estate{Code: "C", Name: "小区C", TimeZone: "Asia/Shanghai"}
	h.must(h.store.CreateEstate(context.Background(), &c, models.DefaultPolicy(), nil))
	admin, manager := h.tokens[models.RoleCompanyAdmin], h.tokens[models.RoleEstateManager]
	body := func(estate uint64) map[string]any {
		return map[string]any{"estate_id": estate, "number": "HT-2026-01", "party_a_kind": "owners_assembly", "party_a": "阳光花园业主大会",
			"party_b": "某某物业服务有限公司", "term_start": "2026-03-01", "term_end": "2029-02-28", "service_level": "level2"}
	}
	bad := body(c.ID)
	bad["term_end"] = "2026-02-01"
	h.wantError(h.do(http.MethodPost, "/api/v1/contracts", admin, bad, nil), http.StatusBadRequest, codeInvalidInput, "term_end")
	bad = body(c.ID)
	bad["party_a_kind"] = "tenant"
	h.wantError(h.do(http.MethodPost, "/api/v1/contracts", admin, bad, nil), http.StatusBadRequest, codeInvalidInput, "party_a_kind")
	h.wantError(h.do(http.MethodPost, "/api/v1/contracts", manager, body(c.ID), nil), http.StatusBadRequest, codeInvalidInput, "estate_id")
	// Estate A's contract is not handed over: 409 with its status.
	r := h.do(http.MethodPost, "/api/v1/contracts", manager, body(h.a.estate.ID), nil)
	h.wantError(r, http.StatusConflict, codeInvalidState, "")
	var ct models.Contract
	h.wantStatus(h.do(http.MethodPost, "/api/v1/contracts", admin, body(c.ID), &ct), http.StatusCreated)
	if ct.ID == 0 || ct.Version != 1 || ct.Status != models.ContractActive || len(started) != 1 ||
		started[0].ID != workflows.ContractWorkflowID(ct.ID) || inputs[0].ContractID != ct.ID || inputs[0].TimeZone != "Asia/Shanghai" {
		t.Fatalf("created %+v, started %+v", ct, started)
	}
	var v models.ContractVersion
	vb := map[string]any{"effective_on": "2027-01-01", "changes": "服务等级调整为一级", "service_level": "level1"}
	h.wantStatus(h.doKey(http.MethodPost, "/api/v1/contracts/"+strconv.FormatUint(ct.ID, 10)+"/versions", admin, "v-1", vb, &v), http.StatusCreated)
	h.wantStatus(h.doKey(http.MethodPost, "/api/v1/contracts/"+strconv.FormatUint(ct.ID, 10)+"/versions", admin, "v-1", vb, &v), http.StatusOK)
	if v.Version != 2 {
		t.Errorf("version %+v", v)
	}
	h.wantError(h.do(http.MethodPost, "/api/v1/contracts/"+strconv.FormatUint(ct.ID, 10)+"/versions", admin, map[string]any{"effective_on": "2027-01-01"}, nil),
		http.StatusBadRequest, codeInvalidInput, "changes")
	var vs listBody[models.ContractVersion]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/contracts/"+strconv.FormatUint(ct.ID, 10)+"/versions", admin, nil, &vs), http.StatusOK)
	if len(vs.Items) != 2 || vs.Items[1].ServiceLevel != models.ServiceLevel1 {
		t.Errorf("versions %+v", vs.Items)
	}
	var list listBody[models.Contract]
	h.wantStatus(h.do(http.MethodGet, "/api/v1/contracts?status=active", manager, nil, &list), http.StatusOK)
	if len(list.Items) != 1 || list.Items[0].EstateID != h.a.estate.ID {
		t.Errorf("estate A's manager sees %+v", list.Items)
	}
	h.wantError(h.do(http.MethodGet, "/api/v1/contracts?status=nope", manager, nil, nil), http.StatusBadRequest, codeInvalidInput, "status")
	h.wantError(h.do(http.MethodGet, "/api/v1/contracts/"+strconv.FormatUint(ct.ID, 10), manager, nil, nil), http.StatusNotFound, codeNotFound, "")
}
