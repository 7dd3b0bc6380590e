package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
)

// Lifetimes of the links messages carry.
const (
	billLinkTTL = 30 * 24 * time.Hour // a reminder's statement link
	rateLinkTTL = 14 * 24 * time.Hour // a return visit's rating link
	// followLinkTTL: a report's acknowledgement links to the ticket's
	// progress page (and its 催单) for as long as a ticket usually lives.
	followLinkTTL = 60 * 24 * time.Hour
	// reportLinkTTL: the welcome message's link to report repairs and
	// complaints serves the first two months in the home (the follow-up's
	// month and more); the desk issues new ones from the owner file.
	reportLinkTTL = 60 * 24 * time.Hour
)

// receivedTemplates acknowledge a report to its resident and carry the
// link to follow it (follow_link).
var receivedTemplates = map[string]bool{notify.TemplateTicketReceived: true, notify.TemplateComplaintReceived: true}

// paymentTemplates are the resident's payment reminders, which carry the
// link to their statement (bill_link).
var paymentTemplates = map[string]bool{
	notify.TemplatePaymentReminderBefore: true, notify.TemplatePaymentReminderDue: true,
	notify.TemplatePaymentOverduePolite: true, notify.TemplatePaymentOverdueSecond: true,
}

// withResidentLinks returns params with the resident links the message
// carries, issued once per message (their note names its key): a payment
// reminder to a resident gets their statement (bill_link); the return
// visit's message, where the estate lets residents rate, the ticket's
// resident's rating page (rate_link), for staff to pass on; a report's
// acknowledgement the ticket's progress page with its 催单 (follow_link);
// the welcome, the page to report repairs and complaints (report_link).
func (n *Notifier) withResidentLinks(ctx context.Context, in SendInput, params map[string]string) (map[string]string, error) {
	if n.Links == nil {
		return params, nil
	}
	var l models.ResidentLink
	var param string
	switch {
	case paymentTemplates[in.Template] && in.RecipientKind == models.RecipientResident:
		l = models.ResidentLink{ResidentID: in.RecipientID, Purpose: models.LinkMyBill, ExpiresAt: n.now().Add(billLinkTTL)}
		param = "bill_link"
	case receivedTemplates[in.Template] && in.RecipientKind == models.RecipientResident:
		id, err := strconv.ParseUint(params["ticket_no"], 10, 64)
		if err != nil {
			return params, nil
		}
		l = models.ResidentLink{ResidentID: in.RecipientID, Purpose: models.LinkTicket, SubjectID: id, ExpiresAt: n.now().Add(followLinkTTL)}
		param = "follow_link"
	case in.Template == notify.TemplateWelcome && in.RecipientKind == models.RecipientResident:
		l = models.ResidentLink{ResidentID: in.RecipientID, Purpose: models.LinkReport, ExpiresAt: n.now().Add(reportLinkTTL)}
		param = "report_link"
	case in.Template == notify.TemplateReturnVisitDue:
		id, err := strconv.ParseUint(params["ticket_no"], 10, 64)
		if err != nil {
			return params, nil
		}
		t, err := n.Store.Ticket(ctx, store.Estates(in.EstateID), id)
		if err = absent(err); err != nil {
			return nil, fmt.Errorf("ticket %d of message %q: %w", id, in.Key, err)
		}
		if t.ID == 0 || t.ResidentID == nil {
			return params, nil
		}
		p, err := n.Store.Policy(ctx, store.Estates(in.EstateID), in.EstateID)
		if err != nil {
			return nil, fmt.Errorf("policy of message %q: %w", in.Key, err)
		}
		if !p.Policy.Repair.ResidentRating {
			return params, nil
		}
		l = models.ResidentLink{ResidentID: *t.ResidentID, Purpose: models.LinkRate, SubjectID: t.ID, ExpiresAt: n.now().Add(rateLinkTTL)}
		param = "rate_link"
	default:
		return params, nil
	}
	l.Note = "message:" + in.Key
	if len([]rune(l.Note)) > models.MaxLinkNoteLen {
		l.Note = string([]rune(l.Note)[:models.MaxLinkNoteLen])
	}
	err := n.Store.IssueResidentLinkOnce(ctx, &l, n.now())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		// The resident or the ticket's household went: no link.
		n.log().WarnContext(ctx, "no resident link for message", "key", in.Key, "err", err)
		return params, nil
	}
	if err != nil {
		return nil, fmt.Errorf("link of message %q: %w", in.Key, err)
	}
	out := maps.Clone(params)
	out[param] = n.Links.LinkURL(auth.PagePath(string(l.Purpose)), l.ID)
	return out, nil
}
