package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// legalScaleDunning is a ladder that reaches legal referral in seconds: a
// formal notice whose period ends two seconds later, then the referral.
func legalScaleDunning(p *models.Policy) {
	s := func(d time.Duration) models.Duration { return models.Duration(d) }
	p.QuietHours = models.QuietHours{Start: "00:00", End: "00:00"}
	p.Dunning.Steps = []models.DunningStep{
		{After: s(time.Second), Action: models.ActionFormalNotice, Channel: models.ChannelLetter, Role: models.RoleFinance},
		{After: s(6 * time.Second), Action: models.ActionLegalReferral, Role: models.RoleLegal},
	}
	p.Dunning.GoodPayerPoliteFor = s(time.Second)
	p.Dunning.FormalNoticePeriod = s(2 * time.Second)
}

// TestConsoleLegalAndClaimInABrowser: the manager's approval of legal
// referral asks for confirmation in a dialog stating the household, the
// amount and the written demand; legal staff land on their queue, open the
// referred case and record a document and the filing; a technician takes an
// unassigned repair from 待接单.
func TestConsoleLegalAndClaimInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, ids := estateWithStaff(t, a, "LGL", legalScaleDunning)
	admin, fin, mgr := as[models.RoleCompanyAdmin], as[models.RoleFinance], as[models.RoleEstateManager]
	admin.mustCall(http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estateID, "username": "LGL-legal", "name": "李法务",
		"role": models.RoleLegal, "password": "one-time-password"}, nil, http.StatusCreated)
	firstSignIn(t, a, "LGL-legal", "one-time-password", "staff-password")
	var building, unit, hh idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &hh, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "王业主", "phone": "13912345678", "role": "owner"}, nil, http.StatusCreated)
	var ticket idOnly
	as[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
		"urgency": "normal", "category": "水管", "description": "厨房水管漏水", "household_id": hh.ID, "channel": "phone"}, &ticket, http.StatusCreated)
	fin.mustCall(http.MethodPost, "/api/v1/bills", map[string]any{"household_id": hh.ID, "period": "2025-01", "amount_fen": 30000}, nil, http.StatusCreated)
	// The written demand waits for its service: finance records it, by
	// hand today, and the legal step follows.
	path := fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID)
	var letters struct {
		DemandLetters []models.DemandLetter `json:"demand_letters"`
	}
	waitFor(t, 45*time.Second, "the written demand awaiting service", func() bool {
		fin.mustCall(http.MethodGet, path, nil, &letters, http.StatusOK)
		return len(letters.DemandLetters) == 1 && letters.DemandLetters[0].AwaitsService
	})
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	fin.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/letters/%d/service", letters.DemandLetters[0].ID), map[string]any{
		"delivery_method": models.DeliveryInPerson, "served_on": models.DateOf(time.Now(), zone)}, nil, http.StatusOK)
	var d arrearsDetail
	waitFor(t, 60*time.Second, "the case to ask for legal referral", func() bool {
		fin.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID), nil, &d, http.StatusOK)
		return d.Case != nil && d.Case.Stage == models.StageLegalPending
	})

	b := newBrowser(t, base)
	b.signIn("LGL-estate_manager", "staff-password")
	row := fmt.Sprintf(`#legal-queue tr[data-household="%d"]`, hh.ID)
	approve := row + ` button[data-decision=approve]`
	b.do("ask to approve the referral",
		chromedp.Navigate(base+"/console/#/arrears/legal"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.SendKeys(chromedp.CSS(row+` input[name=reason]`), "多次催缴无果，证据齐全"),
		chromedp.Click(chromedp.CSS(approve)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-dialog`)),
	)
	got := b.text(`#confirm-dialog`)
	owed := d.Account.Total.Yuan() // the bill and its late fee
	for _, want := range []string{"确认批准转法务", "1栋 101", owed, "已送达"} {
		if !strings.Contains(got, want) {
			t.Errorf("confirmation dialog: got %q, want it to state %q", got, want)
		}
	}
	b.shot("legal-01-confirm-approval")
	b.do("cancel the approval", chromedp.Click(chromedp.CSS(`#confirm-dialog button[data-confirm=no]`)), chromedp.WaitNotPresent(chromedp.CSS(`#confirm-dialog`)))
	mgr.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID), nil, &d, http.StatusOK)
	if d.Case.Stage != models.StageLegalPending {
		t.Errorf("after cancelling the dialog: got stage %s, want legal_pending (nothing sent)", d.Case.Stage)
	}
	b.do("approve the referral, confirmed",
		chromedp.Click(chromedp.CSS(approve)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-dialog`)),
		chromedp.Click(chromedp.CSS(`#confirm-dialog button[data-confirm=yes]`)),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
	)
	waitFor(t, 20*time.Second, "the case to go to legal", func() bool {
		mgr.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/households/%d/arrears", hh.ID), nil, &d, http.StatusOK)
		return d.Case.Stage == models.StageLegal
	})
	b.signOut()

	// Legal staff land on their queue, not on a board with nothing to do.
	legalRow := fmt.Sprintf(`#legal-cases tr[data-household="%d"]`, hh.ID)
	b.do("sign in as legal staff",
		chromedp.WaitVisible(chromedp.CSS(`#login-form input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=username]`), "LGL-legal"),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=password]`), "staff-password"),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(legalRow)),
	)
	if got := b.text(legalRow); !strings.Contains(got, "1栋 101") || !strings.Contains(got, owed) || !strings.Contains(got, "已转法务") {
		t.Errorf("legal queue row: got %q, want 1栋 101 owing %s, referred", got, owed)
	}
	b.shot("legal-02-queue")
	b.do("record a document and the filing",
		chromedp.Click(chromedp.CSS(legalRow+" a")),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=legal_document]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=legal_document] input[name=name]`), "起诉状（正本）"),
		chromedp.Click(chromedp.CSS(`form[data-form=legal_document] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#legal-documents li`)),
	)
	eval[bool](b, `(s => (s.value = 'filed', s.dispatchEvent(new Event('change')), true))(document.querySelector('form[data-form=legal_outcome] select[name=outcome]'))`)
	b.do("record the filing",
		chromedp.SendKeys(chromedp.CSS(`form[data-form=legal_outcome] input[name=court]`), "浦东新区人民法院"),
		chromedp.Click(chromedp.CSS(`form[data-form=legal_outcome] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=legal_outcome] .err[data-for=case_no]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-form=legal_outcome] input[name=case_no]`), "(2026)沪0115民初1234号"),
		chromedp.Click(chromedp.CSS(`form[data-form=legal_outcome] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#legal-outcomes li[data-outcome=filed]`)),
	)
	if got := b.text(`#legal-outcomes`); !strings.Contains(got, "浦东新区人民法院") || !strings.Contains(got, "民初1234号") {
		t.Errorf("outcomes: got %q, want the court and case number", got)
	}
	if got := b.text(`#legal-status`); got != "起诉" {
		t.Errorf("matter status: got %q, want 起诉", got)
	}
	b.shot("legal-03-case-filed")
	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	b.fitsPhone("legal-case-phone")
	b.do("back to the desktop screen", chromedp.EmulateViewport(1366, 768))
	b.signOut()

	// A technician takes the unassigned repair (抢单).
	claim := fmt.Sprintf(`#open-repairs button[data-claim="%d"]`, ticket.ID)
	b.signIn("LGL-technician", "staff-password")
	b.do("see the repair waiting", chromedp.WaitVisible(chromedp.CSS(claim)))
	b.shot("legal-04-open-repairs")
	b.do("claim it", chromedp.Click(chromedp.CSS(claim)), chromedp.WaitVisible(chromedp.CSS(`#status-badge`)))
	var tk models.Ticket
	waitFor(t, 20*time.Second, "the ticket to be assigned to the technician", func() bool {
		mgr.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticket.ID), nil, &struct {
			Ticket *models.Ticket `json:"ticket"`
		}{&tk}, http.StatusOK)
		return tk.AssigneeID != nil && *tk.AssigneeID == ids[models.RoleTechnician] && tk.Status == models.StatusAssigned
	})
	b.do("accept is offered next", chromedp.WaitVisible(chromedp.CSS(`button[data-action=accept]`)))
}
