package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// The messages and people of a case: staff are told at once, residents
// once quiet hours are over; escalations reach who holds the level's role.

// message addresses one message of the process to a staff member or a
// resident.
func (c *caseCore) message(kind models.RecipientKind, id uint64, template, key string, params map[string]string) activities.SendInput {
	return activities.SendInput{Key: key, EstateID: c.estateID, RecipientKind: kind, RecipientID: id,
		Template: template, Params: params, Ref: c.ref}
}

// notifyStaff sends at once: staff messages ignore quiet hours. Without a
// staff member (0) there is no one to tell.
func (c *caseCore) notifyStaff(ctx workflow.Context, staffID uint64, template, key string, params map[string]string) {
	if staffID == 0 {
		return
	}
	c.send(ctx, c.message(models.RecipientStaff, staffID, template, key, params))
}

// send delivers one message through the notifier; a failure is logged,
// and returned for the process to record.
func (c *caseCore) send(ctx workflow.Context, in activities.SendInput) (activities.SendResult, error) {
	var n *activities.Notifier
	var res activities.SendResult
	err := tryLocalFirst(ctx, sendMessage(ctx), localSendTimeout, n.Send, in, &res)
	if err != nil {
		workflow.GetLogger(ctx).Warn("notification not sent", "key", in.Key, "error", err)
	}
	if err == nil && res.Delivery == models.DeliverySent && res.ReceiptWait > 0 {
		c.awaitReceipt(ctx, in.Key, res.Channel, res.ReceiptWait) // sent by a gateway (case_deliveries.go)
	}
	return res, err
}

// outgoing is a resident message waiting in the outbox.
type outgoing struct {
	msg activities.SendInput
	// drop, when set, is asked as the message's turn comes: true, and it is
	// not sent (the case ended while it waited).
	drop func() bool
	// sent, when set, runs once the message went out or failed for good.
	sent func(ctx workflow.Context, res activities.SendResult, err error)
	// release, when set, holds the message until its slot in its bulk
	// batch (release.go); nil once drawn.
	release *release
}

// notifyResident queues a message to a resident (see queue).
func (c *caseCore) notifyResident(ctx workflow.Context, residentID uint64, template, key string, params map[string]string) {
	c.queue(ctx, outgoing{msg: c.message(models.RecipientResident, residentID, template, key, params)})
}

// queue adds m to the outbox. One coroutine sends the outbox in order, each
// message once quiet hours are over and, with channel plans, once the
// resident's contact window is open (the notifier says when: NotBefore),
// so that the process's own timers keep running meanwhile; a process ends
// only once its outbox is empty.
func (c *caseCore) queue(ctx workflow.Context, m outgoing) {
	c.outbox = append(c.outbox, m)
	if len(c.outbox) > 1 {
		return // the coroutine is already draining the outbox
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		for len(c.outbox) > 0 {
			if m := c.outbox[0]; m.release != nil && workflow.GetVersion(ctx, changeReleaseEarly, workflow.DefaultVersion, 1) >= 1 {
				// Its slot is drawn now, quiet hours or not (changeReleaseEarly).
				if m.drop != nil && m.drop() {
					c.outbox = c.outbox[1:]
					continue
				}
				c.outbox[0].release = nil
				if err := c.awaitRelease(ctx, m.msg.Key, *m.release, true); err != nil {
					return
				}
				continue // the case may have ended while the message waited for its slot
			}
			now := workflow.Now(ctx)
			if at := c.quiet.NextAllowed(now, c.loc); at.After(now) {
				if err := workflow.Sleep(ctx, at.Sub(now)); err != nil {
					return
				}
			}
			m := c.outbox[0]
			if m.drop != nil && m.drop() {
				c.outbox = c.outbox[1:]
				continue
			}
			if m.release != nil {
				c.outbox[0].release = nil
				if err := c.awaitRelease(ctx, m.msg.Key, *m.release, false); err != nil {
					return
				}
				continue // the case may have ended while the message waited for its slot
			}
			in := m.msg
			in.KeepWindow = true // with channel plans, the resident's contact window holds too
			res, err := c.send(ctx, in)
			if err == nil && res.NotBefore.After(workflow.Now(ctx)) {
				// Outside the resident's contact window: nothing was sent.
				// The message keeps its turn until the window opens.
				if err := workflow.Sleep(ctx, res.NotBefore.Sub(workflow.Now(ctx))); err != nil {
					return
				}
				continue
			}
			if m.sent == nil {
				c.outbox = c.outbox[1:]
				continue
			}
			// Sent, the message stays queued until its sent (a contact's
			// record) is done, so that one queued meanwhile is this
			// coroutine's to send. Before, a second coroutine started for
			// it and both sent it (found by FuzzCollectionWorkflow).
			if workflow.GetVersion(ctx, changeOneResidentSender, workflow.DefaultVersion, 1) >= 1 {
				m.sent(ctx, res, err)
				c.outbox = c.outbox[1:]
			} else {
				c.outbox = c.outbox[1:]
				m.sent(ctx, res, err)
			}
		}
	})
}

// brief reads the names messages show: the estate's and, when staffID is
// not zero, a staff member's. Unread (logged), messages go with blanks.
func (c *caseCore) brief(ctx workflow.Context, staffID uint64) activities.BriefResult {
	var st *activities.Staff
	var res activities.BriefResult
	in := activities.BriefInput{EstateID: c.estateID, StaffID: staffID}
	if err := dbActivity(ctx, lookupAttempts, st.Brief, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("brief", "staff", staffID, "error", err)
	}
	return res
}

// loadEstate reads the estate's name and service phone for messages.
func (c *caseCore) loadEstate(ctx workflow.Context) {
	b := c.brief(ctx, 0)
	c.estateName, c.servicePhone = b.EstateName, b.ServicePhone
}

// staffWithRole lists the active staff with role in the estate, ascending;
// none when they could not be read (logged).
func (c *caseCore) staffWithRole(ctx workflow.Context, role models.Role) []uint64 {
	var st *activities.Staff
	var res activities.RecipientsResult
	in := activities.RecipientsInput{EstateID: c.estateID, Role: role}
	if err := dbActivity(ctx, 0, st.Recipients, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("recipients", "role", role, "error", err)
	}
	return res.StaffIDs
}

// escalationList is who an escalation to role tells: the staff with the
// role and owner (who holds the case: 0 for none), each once, ascending.
func (c *caseCore) escalationList(ctx workflow.Context, role models.Role, owner uint64) []uint64 {
	ids := append(c.staffWithRole(ctx, role), owner)
	slices.Sort(ids)
	return slices.DeleteFunc(slices.Compact(ids), func(id uint64) bool { return id == 0 })
}

// changeOneEscalation, version 1: an escalation of a ticket or a
// follow-up is one activity (activities.Escalations.Escalate) that finds
// who it tells, records the event naming them and sends their messages,
// with the same event and the same messages as before. Before it, the
// look-up, the record and each message were an activity apiece (issue 15:
// the engine's task rate set how late escalations went out). Taken at each
// escalation: a process that escalated before the change keeps the old
// path for its whole run.
const changeOneEscalation = "one-escalation"

// oneEscalation reports whether the process escalates through one
// activity (see changeOneEscalation).
func oneEscalation(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeOneEscalation, workflow.DefaultVersion, 1) >= 1
}

// escalateOnce carries out an escalation as one activity: in is its
// transition, role and owner; template, keyPrefix and params the staff
// message each person gets ("<keyPrefix>/staff-<id>"). It returns who was
// told (none when the activity failed for good, logged); a message sent by
// a gateway waits for its receipt as any other (case_deliveries.go).
func (c *caseCore) escalateOnce(ctx workflow.Context, in activities.EscalateInput, template, keyPrefix string, params map[string]string) []uint64 {
	in.Message = c.message(models.RecipientStaff, 0, template, keyPrefix, params)
	var e *activities.Escalations
	var res activities.EscalateResult
	if err := tryLocalFirst(ctx, escalationCall(ctx), localEscalateTimeout, e.Escalate, in, &res); err != nil {
		workflow.GetLogger(ctx).Error("escalation", "key", keyPrefix, "error", err)
		return nil
	}
	for i, r := range res.Sent {
		if r.Delivery == models.DeliverySent && r.ReceiptWait > 0 && i < len(res.StaffIDs) {
			c.awaitReceipt(ctx, activities.StaffKey(keyPrefix, res.StaffIDs[i]), r.Channel, r.ReceiptWait)
		}
	}
	return res.StaffIDs
}

// climb moves an escalation up the chain p when its next rung, due at at,
// is reached: it returns the level now reached (level+1) and when the one
// after is due, zero past the last.
func climb(p models.EscalationPolicy, level int, at time.Time) (int, time.Time) {
	level++
	if level < len(p.Levels) {
		return level, at.Add(p.Levels[level].After.Std())
	}
	return level, time.Time{}
}
