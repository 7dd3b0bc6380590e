package workflows

import (
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// OutageInput starts the process of one planned outage (停水停电). Policy
// is the estate's policy when it was planned.
type OutageInput struct {
	OutageID  uint64
	EstateID  uint64
	Utility   models.Utility
	Buildings []string
	StartsAt  time.Time
	EndsAt    time.Time
	Reason    string
	Emergency bool
	CreatedBy uint64
	Policy    models.Policy
	TimeZone  string
}

// NewOutageInput builds the workflow input of an outage just created, with
// the estate's policy and time zone (empty: Asia/Shanghai).
func NewOutageInput(o models.Outage, p models.Policy, tz string) OutageInput {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return OutageInput{OutageID: o.ID, EstateID: o.EstateID, Utility: o.Utility, Buildings: slices.Clone(o.Buildings),
		StartsAt: o.StartsAt, EndsAt: o.PlannedEnd, Reason: o.Reason, Emergency: o.Emergency, CreatedBy: o.CreatedBy,
		Policy: p, TimeZone: tz}
}

// The actions of OutageAction.Action.
const (
	OutageRestore = "restore" // staff record the restoration (Note)
	OutageExtend  = "extend"  // a new planned end (EndsAt), residents told again
	OutageCancel  = "cancel"  // the outage will not happen (Reason)
)

// OutageActions are the staff actions of an outage's page, in order.
func OutageActions() []string { return []string{OutageRestore, OutageExtend, OutageCancel} }

// OutageAction is a staff action on an outage, sent as its update.
type OutageAction struct {
	Action    string
	ActorID   uint64
	ActorRole models.Role
	EndsAt    *time.Time
	Note      string
	Reason    string
}

// OutageView is the live state of an outage.
type OutageView struct {
	OutageID        uint64
	Status          models.OutageStatus
	Utility         models.Utility
	Buildings       []string
	StartsAt        time.Time
	EndsAt          time.Time
	Emergency       bool
	AnnouncedAt     *time.Time
	RemindedAt      *time.Time
	RestoredAt      *time.Time
	Households      int
	EscalationLevel int
	Extensions      int
	Note            string
	Sending         bool
	NextTimer       string
	NextTimerAt     *time.Time
	AsOf            time.Time
}

// OutageResult is how an outage ended.
type OutageResult struct {
	OutageID        uint64
	Status          models.OutageStatus
	Households      int
	EscalationLevel int
}

// Outage runs one outage: the announcement to every household of the
// affected buildings, a reminder shortly before the start, the start, an
// escalation up the chain once the planned end passes unrestored, and the
// staff's restore, extend and cancel, each told to the households.
func Outage(ctx workflow.Context, in OutageInput) (OutageResult, error) {
	s, err := newOutageState(in)
	return runProcess[OutageResult](ctx, s, err)
}

// setup registers the handlers (see process).
func (s *outageState) setup(ctx workflow.Context) error {
	return serve(ctx, OutageProcess(), s.view, s.allowed, s.act, s.check)
}

// run announces, then fires the timers until the outage ends.
func (s *outageState) run(ctx workflow.Context) (OutageResult, error) {
	s.started(ctx)
	for !s.status.Terminal() {
		woken, err := s.sleep(ctx, s.nextTimer().at, nil)
		if err != nil {
			return OutageResult{}, err
		}
		if !woken {
			fireDue(ctx, s.nextTimer, s.fire)
		}
	}
	if err := s.waitSent(ctx); err != nil {
		return OutageResult{}, err
	}
	if err := s.waitIdle(ctx); err != nil {
		return OutageResult{}, err
	}
	return OutageResult{OutageID: s.in.OutageID, Status: s.status, Households: s.households, EscalationLevel: s.level}, nil
}

// outageState is the live state of one outage workflow.
type outageState struct {
	caseCore
	in     OutageInput
	status models.OutageStatus
	endsAt time.Time

	remindAt    time.Time // zero: no reminder due
	announcedAt time.Time
	remindedAt  time.Time
	restoredAt  time.Time
	households  int

	level      int
	escalateAt time.Time
	extensions int
	note       string
}

func newOutageState(in OutageInput) (*outageState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	core.name(OutageWorkflowID(in.OutageID), "outage:"+strconv.FormatUint(in.OutageID, 10))
	return &outageState{caseCore: core, in: in, status: models.OutageAnnounced, endsAt: in.EndsAt.In(core.loc)}, nil
}

// outageTimer is the next moment the workflow acts without being asked.
type outageTimer struct {
	at   time.Time
	kind string
}

func (t outageTimer) when() time.Time { return t.at }

const (
	timerOutageReminder = "reminder"
	timerOutageStart    = "start"
	timerOutageEnd      = "planned_end"
)

func (s *outageState) nextTimer() outageTimer {
	var ts []outageTimer
	switch s.status {
	case models.OutageAnnounced:
		ts = append(ts, outageTimer{at: s.remindAt, kind: timerOutageReminder}, outageTimer{at: s.in.StartsAt, kind: timerOutageStart})
	case models.OutageOngoing:
		ts = append(ts, outageTimer{at: s.endsAt, kind: timerOutageEnd})
	case models.OutageOverdue:
		ts = append(ts, outageTimer{at: s.escalateAt, kind: timerEscalate})
	}
	return soonest(ts)
}

// started records the outage and announces it to the households.
func (s *outageState) started(ctx workflow.Context) {
	s.loadEstate(ctx)
	now := workflow.Now(ctx)
	s.remindAt = s.in.Policy.Notice.OutageReminderAt(s.in.StartsAt, now)
	s.write(ctx, s.snapshot(ctx, now, "planned", s.in.CreatedBy, "", map[string]string{
		"utility": string(s.in.Utility), "buildings": buildingList(s.in.Buildings), "starts_at": s.in.StartsAt.Format(time.RFC3339),
		"ends_at": s.endsAt.Format(time.RFC3339), "emergency": strconv.FormatBool(s.in.Emergency)}))
	s.tell(ctx, "announce", "announced", 0)
}

// tell broadcasts the message of step (announce, reminder, extended-n,
// restored, cancelled) and records typ with the households reached.
func (s *outageState) tell(ctx workflow.Context, step, typ string, actor uint64) {
	template, params := s.message(step)
	in := activities.BatchInput{Key: s.wfID() + "/" + step, Ref: s.ref, EstateID: s.in.EstateID, Buildings: s.in.Buildings,
		Limit: s.in.Policy.Notice.OrDefault().BatchSize, Template: template, Params: params}
	skip := func() bool { return s.status == models.OutageCancelled }
	if step == "cancelled" {
		skip = func() bool { return s.announcedAt.IsZero() } // never told of it
	}
	s.broadcast(ctx, in, s.in.Emergency, skip, func(ctx workflow.Context, total activities.BatchResult) {
		now := workflow.Now(ctx)
		if step == "announce" {
			s.announcedAt, s.households = now, total.Households
		}
		s.write(ctx, s.snapshot(ctx, now, typ, actor, s.status, map[string]string{
			"step": step, "households": strconv.Itoa(total.Households), "sent": strconv.Itoa(total.Sent),
			"failed": strconv.Itoa(total.Failed)}))
	})
}

// message is the template and params of step's message to residents.
func (s *outageState) message(step string) (string, map[string]string) {
	p := map[string]string{"estate": s.estateName, "utility": s.in.Utility.Label(), "buildings": buildingList(s.in.Buildings),
		"starts": s.clock(s.in.StartsAt), "ends": s.clock(s.endsAt)}
	switch {
	case step == "announce":
		p["reason"], p["service_phone"] = s.in.Reason, s.servicePhone
		return "outage_announce", p
	case step == "reminder":
		return "outage_reminder", p
	case step == "restored":
		return "outage_restored", map[string]string{"estate": s.estateName, "restored_what": s.in.Utility.Restored(),
			"buildings": p["buildings"], "restored": s.clock(s.restoredAt)}
	case step == "cancelled":
		return "outage_cancelled", p
	}
	p["service_phone"] = s.servicePhone
	return "outage_extended", p
}

// fire acts on timer t, due at now (see fireDue).
func (s *outageState) fire(ctx workflow.Context, now time.Time, t outageTimer) {
	switch t.kind {
	case timerOutageReminder:
		s.remindAt, s.remindedAt = time.Time{}, now
		s.tell(ctx, "reminder", "reminded", 0)
	case timerOutageStart:
		from := s.status
		s.status, s.remindAt = models.OutageOngoing, time.Time{}
		s.write(ctx, s.snapshot(ctx, now, "started", 0, from, map[string]string{}))
	case timerOutageEnd:
		from := s.status
		s.status = models.OutageOverdue
		s.escalateAt = s.endsAt
		if lv := s.in.Policy.Escalation.Levels; len(lv) > 0 {
			s.escalateAt = s.endsAt.Add(lv[0].After.Std())
		} else {
			s.escalateAt = time.Time{}
		}
		s.write(ctx, s.snapshot(ctx, now, "overdue", 0, from, map[string]string{"ends_at": s.endsAt.Format(time.RFC3339)}))
	case timerEscalate:
		s.level, s.escalateAt = climb(s.in.Policy.Escalation, s.level, s.escalateAt)
		s.escalate(ctx, now)
	}
}

// changeOutageOneEscalation, version 1: an overdue outage's escalation
// is one activity (activities.Escalations.Escalate, as a ticket's under
// "one-escalation"), with the same event and messages. Before it, the
// recipients look-up, the record and each message were an activity apiece
// (issue 15).
const changeOutageOneEscalation = "outage-one-escalation"

// escalate tells the staff with the role of the level reached, and who
// planned the outage, that it is not restored by its planned end.
func (s *outageState) escalate(ctx workflow.Context, now time.Time) {
	role := s.in.Policy.Escalation.Levels[s.level-1].Role
	detail := map[string]string{"level": strconv.Itoa(s.level), "role": string(role), "ends_at": s.endsAt.Format(time.RFC3339)}
	rec := s.snapshot(ctx, now, "escalation", 0, s.status, detail)
	prefix := s.wfID() + "/escalate/" + strconv.Itoa(s.level)
	params := map[string]string{"case_no": s.caseNo(), "utility": s.in.Utility.Label(), "buildings": buildingList(s.in.Buildings),
		"ends": s.clock(s.endsAt), "level": strconv.Itoa(s.level)}
	if workflow.GetVersion(ctx, changeOutageOneEscalation, workflow.DefaultVersion, 1) >= 1 {
		s.escalateOnce(ctx, activities.EscalateInput{Outage: &rec, Role: role, Owner: s.in.CreatedBy}, "outage_overdue", prefix, params)
		return
	}
	ids := s.escalationList(ctx, role, s.in.CreatedBy)
	detail["notified"] = idList(ids)
	s.write(ctx, rec)
	for _, id := range ids {
		s.notifyStaff(ctx, id, "outage_overdue", activities.StaffKey(prefix, id), params)
	}
}

// progress is the read model's copy of the state at revision s.seq.
func (s *outageState) progress() models.OutageProgress {
	return models.OutageProgress{Status: s.status, EndsAt: s.endsAt, AnnouncedAt: optTime(s.announcedAt),
		RemindedAt: optTime(s.remindedAt), RestoredAt: optTime(s.restoredAt), Households: s.households,
		EscalationLevel: s.level, Extensions: s.extensions, Note: s.note, Revision: s.seq}
}

// snapshot takes the next revision of the read model and its event.
func (s *outageState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.OutageStatus, detail map[string]string) activities.OutageRecordInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due := time.Time{}
	if !s.status.Terminal() {
		due = s.endsAt
	}
	s.upsert(ctx, "outage", string(s.status), s.level, due)
	return activities.OutageRecordInput{OutageID: s.in.OutageID, Progress: s.progress(), Event: ev}
}

// write records a snapshot: the outage goes on whatever the outcome.
func (s *outageState) write(ctx workflow.Context, in activities.OutageRecordInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordOutage, in, in.Event.Key)
}

// view is the state as the query and the actions show it, at now.
func (s *outageState) view(now time.Time) OutageView {
	v := OutageView{OutageID: s.in.OutageID, Status: s.status, Utility: s.in.Utility, Buildings: slices.Clone(s.in.Buildings),
		StartsAt: s.in.StartsAt, EndsAt: s.endsAt, Emergency: s.in.Emergency, AnnouncedAt: optTime(s.announcedAt),
		RemindedAt: optTime(s.remindedAt), RestoredAt: optTime(s.restoredAt), Households: s.households,
		EscalationLevel: s.level, Extensions: s.extensions, Note: s.note, Sending: s.sending > 0, AsOf: now}
	if t := s.nextTimer(); !t.at.IsZero() {
		v.NextTimer, v.NextTimerAt = t.kind, optTime(t.at)
	}
	return v
}

func (s *outageState) wfID() string   { return OutageWorkflowID(s.in.OutageID) }
func (s *outageState) caseNo() string { return strconv.FormatUint(s.in.OutageID, 10) }
