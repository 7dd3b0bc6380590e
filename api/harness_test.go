package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/attachments"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

const testPassword = "test-password-1"

// harness is the real router over httptest on a real store, with two
// estates (A and B) and a signed-in account of every role in A.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	store  *store.Store
	tokens map[models.Role]string // role → session token (company_admin is company level)
	a, b   estateFixture
	seq    int // numbers the messages of the inbox tests
	blobs  *attachments.Dir
}

type estateFixture struct {
	// contract is the estate's service contract, version its first version.
	contract        models.Contract
	contractVersion models.ContractVersion
	estate          models.Estate
	building        models.Building
	unit            models.Unit
	household       models.Household
	resident        models.Resident
	staff           models.Staff // a technician of the estate
	token           models.APIToken
	ticket          models.Ticket   // a ticket row (no process: the access tests stop before Temporal)
	followUp        models.FollowUp // the household's move-in follow-up (no process either)
	// Arrears records (no collection process either): a bill of a far
	// month with an open dispute, a proposed plan, a case with an open task.
	bill    models.HouseholdBill
	dispute models.BillDispute
	plan    models.InstalmentPlan
	task    models.CollectionTask
	letter  models.DemandLetter // awaiting service
	// filter is a filter the estate's technician saved.
	filter models.SavedFilter
	// link is a my-bill link of the resident.
	link models.ResidentLink
	// payer is a second household (unit 102) with a payment, its receipt,
	// and a reconciliation of yesterday's WeChat statement.
	payer          models.Household
	payment        models.FeePayment
	receipt        models.Receipt
	reconciliation models.Reconciliation
	// standard is a fee standard; reading a flagged meter reading.
	standard models.FeeStandard
	reading  models.MeterReading
	// imp is a running import of one unit (no process either).
	imp models.Import
	// photo is a photo of the ticket, its bytes stored.
	photo models.Attachment

	// Inspections: a lift in the ledger, a plan on it and an occurrence
	// (no process either).
	equipment  models.Equipment
	inspPlan   models.InspectionPlan
	inspection models.Inspection
	// outage and notice are rows without processes (the access tests
	// stop before Temporal).
	outage models.Outage
	notice models.Notice
	// survey is a satisfaction survey campaign (no process either).
	survey models.SurveyCampaign
}

func newHarness(t *testing.T, s *store.Store) *harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	blobs, err := attachments.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	api := New(Options{Store: s, Log: log, Attachments: AttachmentOptions{Blobs: blobs}})
	h := &harness{t: t, srv: httptest.NewServer(api.Handler()), store: s, tokens: map[models.Role]string{}, blobs: blobs}
	t.Cleanup(h.srv.Close)
	h.a, h.b = h.seedEstate("A"), h.seedEstate("B")
	for _, role := range models.Roles() {
		var estate *uint64
		if role != models.RoleCompanyAdmin {
			estate = &h.a.estate.ID
		}
		st := h.addStaff("a-"+string(role), role, estate)
		h.tokens[role] = h.signIn("a-"+string(role), testPassword)
		if role == models.Roles()[0] {
			// A saved filter is its owner's alone (a colleague gets 404):
			// estate A's belongs to the account the access tests try first.
			h.a.filter = models.SavedFilter{StaffID: st.ID, List: "tickets", Name: "我的筛选", Query: "status=new"}
			h.must(h.store.CreateSavedFilter(context.Background(), &h.a.filter))
		}
	}
	return h
}

func (h *harness) seedEstate(code string) estateFixture {
	h.t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	f := estateFixture{estate: models.Estate{Code: code, Name: "小区" + code, TimeZone: "Asia/Shanghai"}}
	h.must(h.store.CreateEstate(ctx, &f.estate, models.DefaultPolicy(), nil))
	f.building = models.Building{EstateID: f.estate.ID, Name: "1栋"}
	h.must(h.store.CreateBuilding(ctx, all, &f.building))
	f.unit = models.Unit{BuildingID: f.building.ID, Number: "101"}
	h.must(h.store.CreateUnit(ctx, all, &f.unit))
	f.household = models.Household{UnitID: f.unit.ID}
	h.must(h.store.CreateHousehold(ctx, all, &f.household))
	f.resident = models.Resident{HouseholdID: f.household.ID, Name: "业主" + code, Phone: "13812345678", Role: models.ResidentOwner}
	h.must(h.store.CreateResident(ctx, all, &f.resident))
	f.staff = h.addStaff("tech-"+code, models.RoleTechnician, &f.estate.ID)
	f.token = models.APIToken{StaffID: f.staff.ID, Name: "integration " + code, Prefix: "wyt_" + code, TokenHash: "hash-" + code}
	h.must(h.store.CreateAPIToken(ctx, &f.token))
	f.filter = models.SavedFilter{StaffID: f.staff.ID, List: "tickets", Name: "技术员的筛选", Query: "status=new"}
	h.must(h.store.CreateSavedFilter(ctx, &f.filter))
	f.link = models.ResidentLink{ResidentID: f.resident.ID, Purpose: models.LinkMyBill}
	h.must(h.store.CreateResidentLink(ctx, all, &f.link, time.Now()))
	f.ticket = models.Ticket{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电",
		Description: "漏水", HouseholdID: &f.household.ID, Channel: models.ReportPhone, FirstReceiverID: f.staff.ID}
	var err error
	f.ticket, _, err = h.store.CreateTicket(ctx, all, &f.ticket, "")
	h.must(err)
	mi, _, err := h.store.RegisterMoveIn(ctx, all, models.MoveInRequest{HouseholdID: f.household.ID,
		ResidentIDs: []uint64{f.resident.ID}, RegisteredBy: f.staff.ID}, "")
	h.must(err)
	f.followUp = mi.FollowUp
	h.seedArrears(&f)
	h.seedReceipts(&f)
	f.imp = models.Import{EstateID: f.estate.ID, Kind: "units", CreatedBy: f.staff.ID}
	h.must(h.store.CreateImport(ctx, all, &f.imp, []models.ImportRow{{Row: 2, Data: `{"building":"9栋","number":"901"}`}}))
	f.photo = h.seedPhoto(f.ticket, f.staff.ID)
	h.seedInspections(&f)
	end := time.Now().UTC().AddDate(1, 0, 0).Truncate(24 * time.Hour)
	f.contract = models.Contract{EstateID: f.estate.ID, CreatedBy: f.staff.ID,
		ContractRecord:   models.ContractRecord{Number: "HT-" + code, PartyAKind: models.PartyOwnersAssembly, PartyA: "业主大会", PartyB: "物业公司"},
		ContractTerms:    models.ContractTerms{ServiceLevel: models.ServiceLevel2},
		ContractProgress: models.ContractProgress{Status: models.ContractActive, TermStart: end.AddDate(-3, 0, 1), TermEnd: end}}
	f.contractVersion = models.ContractVersion{Key: "signed", EffectiveOn: f.contract.TermStart, Changes: "签订合同"}
	h.must(h.store.CreateContract(ctx, &f.contract, &f.contractVersion))

	start := time.Now().Add(48 * time.Hour)
	f.outage = models.Outage{EstateID: f.estate.ID, Utility: models.UtilityWater, Buildings: []string{"1栋"}, StartsAt: start,
		PlannedEnd: start.Add(4 * time.Hour), Reason: "管网检修", CreatedBy: f.staff.ID}
	h.must(h.store.CreateOutage(ctx, all, &f.outage))
	f.notice = models.Notice{EstateID: f.estate.ID, Title: "消防演练", Body: "周六上午", PublishAt: start, ExpiresAt: start.Add(24 * time.Hour), CreatedBy: f.staff.ID}
	h.must(h.store.CreateNotice(ctx, all, &f.notice))

	f.survey = models.SurveyCampaign{EstateID: f.estate.ID, Quarter: "2030Q1", Questionnaire: models.DefaultQuestionnaire(),
		Sample: models.SurveySample{Mode: models.SampleAll}, OpensAt: time.Date(2030, 1, 5, 0, 0, 0, 0, time.UTC),
		ClosesAt: time.Date(2030, 1, 20, 0, 0, 0, 0, time.UTC), CreatedBy: f.staff.ID}
	h.must(h.store.CreateSurveyCampaign(ctx, all, &f.survey))
	return f
}

// seedReceipts adds the receipt and reconciliation fixture records of an
// estate, on a household of their own so that the arrears fixture's ledger
// stays as it is.
func (h *harness) seedReceipts(f *estateFixture) {
	h.t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	u := models.Unit{BuildingID: f.building.ID, Number: "102"}
	h.must(h.store.CreateUnit(ctx, all, &u))
	f.payer = models.Household{UnitID: u.ID}
	h.must(h.store.CreateHousehold(ctx, all, &f.payer))
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	h.must(err)
	f.payment = models.FeePayment{HouseholdID: f.payer.ID, AmountFen: 30000, PaidAt: time.Now().Add(-time.Hour), Channel: models.PayWeChat,
		Reference: "fixture-" + f.estate.Code, RecordedBy: f.staff.ID}
	f.payment, _, err = h.store.RecordPayment(ctx, all, &f.payment, shanghai)
	h.must(err)
	f.receipt, err = h.store.PaymentReceipt(ctx, all, f.payment.ID)
	h.must(err)
	yesterday := models.DateOf(time.Now(), shanghai).AddDays(-1)
	f.reconciliation, _, err = h.store.Reconcile(ctx, all, store.Statement{EstateID: f.estate.ID, Channel: models.PayWeChat, Day: yesterday,
		Loc: shanghai, Digest: "fixture", FileName: "wechat.csv", Source: models.SourceUpload})
	h.must(err)
}

func (h *harness) addStaff(username string, role models.Role, estate *uint64) models.Staff {
	h.t.Helper()
	hash, err := auth.HashPassword(testPassword)
	h.must(err)
	st := models.Staff{EstateID: estate, Username: username, Name: username, Role: role, PasswordHash: hash, Active: true}
	h.must(h.store.CreateStaff(context.Background(), store.AllEstates(), &st))
	return st
}

func (h *harness) signIn(username, password string) string {
	h.t.Helper()
	var out signInResponse
	h.wantStatus(h.do(http.MethodPost, "/api/v1/sessions", "", map[string]string{"username": username, "password": password}, &out), http.StatusCreated)
	return out.Token
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
	req    string
}

// do sends body (JSON, or raw when a string) with the bearer token and
// decodes the answer into out when out is not nil.
func (h *harness) do(method, path, token string, body any, out any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		h.must(err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	h.must(err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.send(req, token, out)
}

// send sends req with token, decoding a successful answer into out unless
// it is nil.
func (h *harness) send(req *http.Request, token string, out any) response {
	h.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.srv.Client().Do(req)
	h.must(err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	h.must(err)
	name := req.Method + " " + req.URL.RequestURI()
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s: decode %s: %v", name, raw, err)
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw, req: name}
}

func (h *harness) wantStatus(r response, want int) {
	h.t.Helper()
	if r.status != want {
		h.t.Errorf("%s: got %d %s, want %d", r.req, r.status, r.body, want)
	}
}

// wantError checks the status and the error body's code and field.
func (h *harness) wantError(r response, status int, code, field string) {
	h.t.Helper()
	var body errorBody
	if err := json.Unmarshal(r.body, &body); err != nil {
		h.t.Errorf("%s: got body %s, want a JSON error", r.req, r.body)
		return
	}
	if r.status != status || body.Error.Code != code || body.Error.Field != field {
		h.t.Errorf("%s: got %d %s field %q (%s), want %d %s field %q", r.req, r.status, body.Error.Code, body.Error.Field, body.Error.Message, status, code, field)
	}
	// An internal error wrapped into the message shows its chain.
	for _, leak := range []string{"invalid state:", ": not found", ": conflict", "unavailable:", "sql", "gorm", "rpc error", "workflow"} {
		if strings.Contains(strings.ToLower(body.Error.Message), leak) {
			h.t.Errorf("%s: message %q shows internal error text (%q)", r.req, body.Error.Message, leak)
		}
	}
}

// seedArrears adds the arrears fixture records of an estate.
func (h *harness) seedArrears(f *estateFixture) {
	h.t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	fees := models.DefaultPolicy().Fees
	var err error
	f.bill, err = h.store.IssueBill(ctx, all, f.household.ID, models.Month{Year: 2030, Month: 1}, 12000, fees, nil)
	h.must(err)
	f.dispute, err = h.store.OpenDispute(ctx, all, f.bill.ID, "面积有误", f.staff.ID, time.Now(), time.UTC, fees)
	h.must(err)
	f.plan = models.InstalmentPlan{HouseholdID: f.household.ID, Reason: "失业", ProposedBy: f.staff.ID,
		Instalments: []models.Instalment{{Due: models.Date{Year: 2030, Month: 3, Day: 1}, AmountFen: 12000}}}
	h.must(h.store.CreatePlan(ctx, all, &f.plan))
	cs, err := h.store.OpenCase(ctx, &models.CollectionCase{HouseholdID: f.household.ID, WorkflowID: "collection-x",
		Key: fmt.Sprintf("fixture-%d", f.household.ID), OpenedAt: time.Now(), CaseProgress: models.CaseProgress{Stage: models.StageDunning}})
	h.must(err)
	f.task, err = h.store.CreateTask(ctx, &models.CollectionTask{Key: fmt.Sprintf("fixture-task-%d", cs.ID), CaseID: cs.ID,
		EstateID: cs.EstateID, HouseholdID: f.household.ID, Action: models.ActionPhoneCall, Role: models.RoleCustomerService,
		AssigneeID: f.staff.ID, DueAt: time.Now().Add(72 * time.Hour)})
	h.must(err)
	now := time.Now().UTC()
	f.letter, err = h.store.IssueDemandLetter(ctx, &models.DemandLetter{Key: fmt.Sprintf("fixture-letter-%d", cs.ID), CaseID: cs.ID,
		EstateID: cs.EstateID, HouseholdID: f.household.ID, ServedAt: now, ServedOn: now.Truncate(24 * time.Hour), PayBy: now.Add(30 * 24 * time.Hour).Truncate(24 * time.Hour),
		AmountFen: 12000, Text: "催缴函", AwaitsService: true})
	h.must(err)
	f.standard = models.FeeStandard{EstateID: f.estate.ID, Name: "物业服务费", Method: models.PricePerArea}
	h.must(h.store.CreateFeeStandard(ctx, all, &f.standard, models.FeeStandardVersion{UnitPrice: 23500,
		PropertyTypes: []models.PropertyType{models.PropertyResidential}, VacantPercent: 100, ValidFrom: "2026-01"}, nil))
	res, err := h.store.RecordReadings(ctx, all, []models.MeterReading{{UnitID: f.unit.ID, Kind: models.MeterWater, Period: "2029-12", Value: 5_000, Previous: 9_000}})
	h.must(err)
	f.reading = res[0].Reading
}
