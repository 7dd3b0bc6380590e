package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// NoticeInput starts the process of one community notice (公告).
type NoticeInput struct {
	NoticeID  uint64
	EstateID  uint64
	Buildings []string
	Title     string
	Body      string
	PublishAt time.Time
	ExpiresAt time.Time
	Emergency bool
	CreatedBy uint64
	Policy    models.Policy
	TimeZone  string
}

// NewNoticeInput builds the workflow input of a notice just created.
func NewNoticeInput(n models.Notice, p models.Policy, tz string) NoticeInput {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	return NoticeInput{NoticeID: n.ID, EstateID: n.EstateID, Buildings: slices.Clone(n.Buildings), Title: n.Title, Body: n.Body,
		PublishAt: n.PublishAt, ExpiresAt: n.ExpiresAt, Emergency: n.Emergency, CreatedBy: n.CreatedBy, Policy: p, TimeZone: tz}
}

// NoticeWithdraw takes a notice down (Reason); the one action of a notice.
const NoticeWithdraw = "withdraw"

// NoticeActions are the staff actions of a notice's page.
func NoticeActions() []string { return []string{NoticeWithdraw} }

// NoticeAction is a staff action on a notice.
type NoticeAction struct {
	Action    string
	ActorID   uint64
	ActorRole models.Role
	Reason    string
}

// NoticeView is the live state of a notice.
type NoticeView struct {
	NoticeID    uint64
	Status      models.NoticeStatus
	PublishAt   time.Time
	ExpiresAt   time.Time
	Emergency   bool
	PublishedAt *time.Time
	Households  int
	Capped      int
	Sending     bool
	ClosedAt    *time.Time
	AsOf        time.Time
}

// NoticeResult is how a notice ended.
type NoticeResult struct {
	NoticeID   uint64
	Status     models.NoticeStatus
	Households int
}

// Notice runs one community notice: published at its time to every
// household of its buildings (ordinary notices keep quiet hours and each
// resident's daily cap; emergency ones neither), expired at its expiry,
// or withdrawn by a manager.
func Notice(ctx workflow.Context, in NoticeInput) (NoticeResult, error) {
	s, err := newNoticeState(in)
	return runProcess[NoticeResult](ctx, s, err)
}

type noticeState struct {
	caseCore
	in          NoticeInput
	status      models.NoticeStatus
	publishedAt time.Time
	closedAt    time.Time
	households  int
	capped      int
}

func newNoticeState(in NoticeInput) (*noticeState, error) {
	core, err := newCaseCore(in.EstateID, in.TimeZone, in.Policy.QuietHours)
	if err != nil {
		return nil, err
	}
	core.name(NoticeWorkflowID(in.NoticeID), "notice:"+strconv.FormatUint(in.NoticeID, 10))
	return &noticeState{caseCore: core, in: in, status: models.NoticeScheduled}, nil
}

// setup registers the handlers (see process).
func (s *noticeState) setup(ctx workflow.Context) error {
	return serve(ctx, NoticeProcess(), s.view, s.allowed, s.act, s.check)
}

// run publishes at the publish time and expires at the expiry.
func (s *noticeState) run(ctx workflow.Context) (NoticeResult, error) {
	s.loadEstate(ctx)
	s.write(ctx, s.snapshot(ctx, workflow.Now(ctx), "scheduled", s.in.CreatedBy, "", map[string]string{
		"publish_at": s.in.PublishAt.Format(time.RFC3339), "expires_at": s.in.ExpiresAt.Format(time.RFC3339)}))
	for !s.status.Terminal() {
		at := s.in.ExpiresAt
		if s.status == models.NoticeScheduled {
			at = s.in.PublishAt
		}
		woken, err := s.sleep(ctx, at, nil)
		if err != nil {
			return NoticeResult{}, err
		}
		if !woken {
			s.fire(ctx, workflow.Now(ctx))
		}
	}
	if err := s.waitSent(ctx); err != nil {
		return NoticeResult{}, err
	}
	if err := s.waitIdle(ctx); err != nil {
		return NoticeResult{}, err
	}
	return NoticeResult{NoticeID: s.in.NoticeID, Status: s.status, Households: s.households}, nil
}

// fire publishes a scheduled notice, or expires a published one.
func (s *noticeState) fire(ctx workflow.Context, now time.Time) {
	from := s.status
	if s.status == models.NoticePublished {
		s.status, s.closedAt = models.NoticeExpired, now
		s.write(ctx, s.snapshot(ctx, now, "expired", 0, from, map[string]string{}))
		return
	}
	s.status, s.publishedAt = models.NoticePublished, now
	s.write(ctx, s.snapshot(ctx, now, "published", 0, from, map[string]string{}))
	params := map[string]string{"estate": s.estateName, "title": s.in.Title, "body": s.in.Body}
	in := activities.BatchInput{Key: s.wfID() + "/publish", Ref: s.ref, EstateID: s.in.EstateID, Buildings: s.in.Buildings,
		Limit: s.in.Policy.Notice.OrDefault().BatchSize, Template: "community_notice", Params: params, Policy: s.in.Policy.Notice}
	if s.in.Emergency {
		params["urgent"] = "1"
	} else {
		y, m, d := now.In(s.loc).Date()
		in.CapSince = time.Date(y, m, d, 0, 0, 0, 0, s.loc)
	}
	withdrawn := func() bool { return s.status == models.NoticeWithdrawn }
	s.broadcast(ctx, in, s.in.Emergency, withdrawn, func(ctx workflow.Context, total activities.BatchResult) {
		s.households, s.capped = total.Households, total.Capped
		s.write(ctx, s.snapshot(ctx, workflow.Now(ctx), "sent", 0, s.status, map[string]string{
			"households": strconv.Itoa(total.Households), "sent": strconv.Itoa(total.Sent),
			"failed": strconv.Itoa(total.Failed), "capped": strconv.Itoa(total.Capped)}))
	})
}

// act is the handler of the notice's action update (withdraw).
func (s *noticeState) act(ctx workflow.Context, a NoticeAction) (NoticeView, error) {
	now := workflow.Now(ctx)
	if err := s.check(ctx, a); err != nil {
		return s.view(now), err
	}
	from := s.status
	s.status, s.closedAt, s.woken = models.NoticeWithdrawn, now, true
	s.write(ctx, s.snapshot(ctx, now, "withdrawn", a.ActorID, from, actionDetail(ctx, map[string]string{"reason": a.Reason})))
	return s.view(now), nil
}

// check is the validator of the notice's action update: a manager
// withdraws a notice not yet expired, with a reason.
func (s *noticeState) check(_ workflow.Context, a NoticeAction) error {
	if a.ActorID == 0 {
		return invalidInput("actor_id", "须注明执行此操作的员工")
	}
	if !a.ActorRole.Valid() {
		return invalidInput("actor_role", fmt.Sprintf("未知角色“%s”", a.ActorRole))
	}
	if a.Action != NoticeWithdraw {
		return invalidInput("action", fmt.Sprintf("未知操作“%s”", a.Action))
	}
	switch {
	case s.status.Terminal():
		return invalidState(s.status, "公告在当前状态下不能执行此操作")
	case !isManager(a.ActorRole):
		return temporal.NewApplicationError(fmt.Sprintf("角色 %s（员工 %d）不能撤回此通知", a.ActorRole, a.ActorID),
			ErrTypeForbidden, string(a.ActorRole))
	}
	if err := needText("reason", a.Reason); err != nil {
		return err
	}
	return maxText("reason", a.Reason, 200)
}

// allowed answers the allowed-actions query from the validator.
func (s *noticeState) allowed(ctx workflow.Context, in AllowedActionsInput) []string {
	return allowedBy(in, NoticeActions(), func(name string) error {
		return s.check(ctx, NoticeAction{Action: name, ActorID: in.ActorID, ActorRole: in.ActorRole})
	})
}

func (s *noticeState) progress() models.NoticeProgress {
	return models.NoticeProgress{Status: s.status, PublishedAt: optTime(s.publishedAt), Households: s.households,
		Capped: s.capped, ClosedAt: optTime(s.closedAt), Revision: s.seq}
}

func (s *noticeState) snapshot(ctx workflow.Context, now time.Time, typ string, actor uint64, from models.NoticeStatus, detail map[string]string) activities.NoticeRecordInput {
	ev := s.next(now, transition{Type: typ, Actor: actor, From: string(from), To: string(s.status), Detail: detail})
	due := time.Time{}
	if !s.status.Terminal() {
		due = s.in.ExpiresAt
	}
	s.upsert(ctx, "notice", string(s.status), 0, due)
	return activities.NoticeRecordInput{NoticeID: s.in.NoticeID, Progress: s.progress(), Event: ev}
}

func (s *noticeState) write(ctx workflow.Context, in activities.NoticeRecordInput) {
	var c *activities.Cases
	writeTransition(ctx, c.RecordNotice, in, in.Event.Key)
}

func (s *noticeState) view(now time.Time) NoticeView {
	return NoticeView{NoticeID: s.in.NoticeID, Status: s.status, PublishAt: s.in.PublishAt, ExpiresAt: s.in.ExpiresAt,
		Emergency: s.in.Emergency, PublishedAt: optTime(s.publishedAt), Households: s.households, Capped: s.capped,
		Sending: s.sending > 0, ClosedAt: optTime(s.closedAt), AsOf: now}
}

func (s *noticeState) wfID() string { return NoticeWorkflowID(s.in.NoticeID) }
