package app

import (
	"context"
	"fmt"
	"time"

	enums "go.temporal.io/api/enums/v1"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// seedDemoNotices adds to the demo estate a planned water outage (停水)
// of 1栋 tomorrow morning, at least the policy's lead time ahead, and a
// community notice (公告) published now.
func seedDemoNotices(ctx context.Context, s *store.Store, e models.Estate, by uint64, now time.Time) error {
	all := store.AllEstates()
	loc := time.UTC
	if l, err := time.LoadLocation(e.TimeZone); err == nil && e.TimeZone != "" {
		loc = l
	}
	y, m, d := now.In(loc).Date()
	start := time.Date(y, m, d+1, 9, 0, 0, 0, loc)
	if lead := models.DefaultNoticePolicy().EarliestOutageStart(now); start.Before(lead) {
		start = lead.Add(time.Hour).Truncate(time.Hour)
	}
	o := models.Outage{EstateID: e.ID, Utility: models.UtilityWater, Buildings: []string{"1栋"}, StartsAt: start,
		PlannedEnd: start.Add(4 * time.Hour), Reason: "二次供水水箱清洗", CreatedBy: by}
	if err := s.CreateOutage(ctx, all, &o); err != nil {
		return fmt.Errorf("demo outage: %w", err)
	}
	n := models.Notice{EstateID: e.ID, Title: "小区消防演练通知", Body: "本周六上午十点在中心广场进行消防演练，届时请勿惊慌，欢迎业主参加。",
		PublishAt: now, ExpiresAt: now.Add(7 * models.Day), CreatedBy: by}
	if err := s.CreateNotice(ctx, all, &n); err != nil {
		return fmt.Errorf("demo notice: %w", err)
	}
	return nil
}

// startDemoNotices starts the processes of the outages and notices the
// demo seed wrote (revision 0: no process has recorded them yet); one
// already started is left as it is.
func (a *App) startDemoNotices(ctx context.Context) error {
	all := store.AllEstates()
	outages, err := a.Store.Outages(ctx, all, store.OutageFilter{Status: models.OutageAnnounced}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return err
	}
	notices, err := a.Store.Notices(ctx, all, store.NoticeFilter{Status: models.NoticeScheduled}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return err
	}
	start := func(estateID uint64, id string, wf any, in func(models.Policy, string) any) error {
		return a.startDemoProcess(ctx, estateID, id, wf, in)
	}
	for _, o := range outages.Items {
		if o.Revision > 0 {
			continue
		}
		if err := start(o.EstateID, workflows.OutageWorkflowID(o.ID), workflows.Outage,
			func(p models.Policy, tz string) any { return workflows.NewOutageInput(o, p, tz) }); err != nil {
			return fmt.Errorf("start demo outage %d: %w", o.ID, err)
		}
	}
	for _, n := range notices.Items {
		if n.Revision > 0 {
			continue
		}
		if err := start(n.EstateID, workflows.NoticeWorkflowID(n.ID), workflows.Notice,
			func(p models.Policy, tz string) any { return workflows.NewNoticeInput(n, p, tz) }); err != nil {
			return fmt.Errorf("start demo notice %d: %w", n.ID, err)
		}
	}
	return nil
}

// startDemoProcess starts workflow wf of a demo record of estate estateID
// under workflow ID id, its input made by in from the estate's policy and
// time zone, as the API starts one (workflows.StartOnce): a run already
// going is left as it is.
func (a *App) startDemoProcess(ctx context.Context, estateID uint64, id string, wf any, in func(models.Policy, string) any) error {
	all := store.AllEstates()
	e, err := a.Store.Estate(ctx, all, estateID)
	if err != nil {
		return err
	}
	p, err := a.Store.Policy(ctx, all, estateID)
	if err != nil {
		return err
	}
	return workflows.StartOnce(ctx, a.Temporal, id, enums.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED, wf, in(p.Policy, e.TimeZone))
}
