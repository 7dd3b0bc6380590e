package activities_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// TestNotifierCarriesResidentLinks: a payment reminder carries the
// resident's statement link, the return visit's message the ticket's
// resident's rating link; each message issues its link once, however often
// it is sent.
func TestNotifierCarriesResidentLinks(t *testing.T) {
	f := newNotifyFixture(t)
	links, err := auth.NewLinks([]byte(strings.Repeat("k", auth.MinLinkSecret)), "https://wuye.example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.notifier.Links = links
	ctx := context.Background()
	body := func(got activities.SendResult) string {
		t.Helper()
		m, err := f.store.Message(ctx, store.Estates(f.estate.ID), got.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		return m.Body
	}
	links1 := func(purpose models.LinkPurpose) []store.ResidentLinkWithUses {
		t.Helper()
		l, err := f.store.ResidentLinks(ctx, store.AllEstates(), f.resident.ID, store.Page{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []store.ResidentLinkWithUses
		for _, x := range l.Items {
			if x.Purpose == purpose {
				out = append(out, x)
			}
		}
		return out
	}

	reminder := activities.SendInput{Key: "case-3/step-1/resident", EstateID: f.estate.ID, RecipientKind: models.RecipientResident,
		RecipientID: f.resident.ID, Template: notify.TemplatePaymentOverduePolite, Ref: "case:3",
		Params: map[string]string{"estate": f.estate.Name, "period": "2026-10", "amount": "300.00", "due_date": "2026-11-10", "service_phone": "0571-88886666"}}
	for range 2 {
		got, err := f.send(reminder)
		if err != nil {
			t.Fatal(err)
		}
		bills := links1(models.LinkMyBill)
		if len(bills) != 1 || !strings.HasSuffix(body(got), "查看账单："+links.LinkURL(auth.BillPath, bills[0].ID)) || bills[0].Note != "message:"+reminder.Key {
			t.Errorf("reminder: got %q and links %+v, want one statement link at the end", body(got), bills)
		}
	}

	tk := models.Ticket{EstateID: f.estate.ID, Kind: models.TicketRepair, Urgency: models.UrgencyNormal, Category: "水电", Description: "漏水",
		HouseholdID: &f.resident.HouseholdID, ResidentID: &f.resident.ID, Channel: models.ReportPhone, FirstReceiverID: f.staff.ID}
	tk, _, err = f.store.CreateTicket(ctx, store.AllEstates(), &tk, "")
	if err != nil {
		t.Fatal(err)
	}
	visit := activities.SendInput{Key: "ticket-" + strconv.FormatUint(tk.ID, 10) + "/return_visit_due", EstateID: f.estate.ID, RecipientKind: models.RecipientStaff,
		RecipientID: f.staff.ID, Template: notify.TemplateReturnVisitDue, Ref: "ticket:" + strconv.FormatUint(tk.ID, 10),
		Params: map[string]string{"ticket_no": strconv.FormatUint(tk.ID, 10), "due": "11-30 18:00"}}
	got, err := f.send(visit)
	if err != nil {
		t.Fatal(err)
	}
	rates := links1(models.LinkRate)
	if len(rates) != 1 || rates[0].SubjectID != tk.ID || !strings.HasSuffix(body(got), links.LinkURL(auth.RatePath, rates[0].ID)) {
		t.Errorf("return visit: got %q and links %+v, want the rating link of ticket %d", body(got), rates, tk.ID)
	}

	// The report's acknowledgement links to the ticket's progress page, once
	// however often it is retried; the welcome to the report page.
	received := activities.SendInput{Key: "ticket-" + strconv.FormatUint(tk.ID, 10) + "/ticket_received", EstateID: f.estate.ID,
		RecipientKind: models.RecipientResident, RecipientID: f.resident.ID, Template: notify.TemplateTicketReceived, Ref: "ticket:" + strconv.FormatUint(tk.ID, 10),
		Params: map[string]string{"estate": f.estate.Name, "ticket_no": strconv.FormatUint(tk.ID, 10), "service_phone": "0571-88886666"}}
	for range 2 {
		if got, err = f.send(received); err != nil {
			t.Fatal(err)
		}
	}
	follows := links1(models.LinkTicket)
	if len(follows) != 1 || follows[0].SubjectID != tk.ID || !strings.HasSuffix(body(got), "查看进度、催单："+links.LinkURL(auth.TicketPath, follows[0].ID)) {
		t.Errorf("received: got %q and links %+v, want one progress link of ticket %d", body(got), follows, tk.ID)
	}
	welcome := activities.SendInput{Key: "movein-1/welcome", EstateID: f.estate.ID, RecipientKind: models.RecipientResident,
		RecipientID: f.resident.ID, Template: notify.TemplateWelcome, Ref: "followup:1",
		Params: map[string]string{"estate": f.estate.Name, "location": "1栋2-502", "service_phone": "0571-88886666"}}
	if got, err = f.send(welcome); err != nil {
		t.Fatal(err)
	}
	reports := links1(models.LinkReport)
	if len(reports) != 1 || !strings.HasSuffix(body(got), "在线报修、投诉："+links.LinkURL(auth.ReportPath, reports[0].ID)) {
		t.Errorf("welcome: got %q and links %+v, want the report link", body(got), reports)
	}
}
