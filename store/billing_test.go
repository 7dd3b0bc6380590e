package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// arrearsHousehold creates an estate with one household (and a resident)
// and returns their ids.
func arrearsHousehold(t *testing.T, s *store.Store, code string) (estateID, householdID uint64) {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	e := ticketEstate(t, s, code)
	b := models.Building{EstateID: e, Name: "1栋"}
	must(t, s.CreateBuilding(ctx, all, &b))
	u := models.Unit{BuildingID: b.ID, Number: "101"}
	must(t, s.CreateUnit(ctx, all, &u))
	h := models.Household{UnitID: u.ID}
	must(t, s.CreateHousehold(ctx, all, &h))
	r := models.Resident{HouseholdID: h.ID, Name: "业主", Phone: "13812345678", Role: models.ResidentOwner}
	must(t, s.CreateResident(ctx, all, &r))
	return e, h.ID
}

func TestBillsRunsAndPayments(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		a, hh := arrearsHousehold(t, s, "A")
		b, _ := arrearsHousehold(t, s, "B")
		must(t, s.CreateFeeItem(ctx, all, &models.FeeItem{HouseholdID: hh, Name: "物业费", AmountFen: 25000, Active: true}))
		must(t, s.CreateFeeItem(ctx, all, &models.FeeItem{HouseholdID: hh, Name: "车位", AmountFen: 5000, Active: true}))
		jan := models.Month{Year: 2026, Month: 1}

		run, err := s.RunBilling(ctx, all, a, jan, fees, nil)
		if err != nil || run.Created != 1 || run.Existing != 0 {
			t.Fatalf("first run: got %+v, %v, want one bill", run, err)
		}
		run, err = s.RunBilling(ctx, all, a, jan, fees, nil)
		if err != nil || run.Created != 0 || run.Existing != 1 {
			t.Errorf("second run: got %+v, %v, want one existing", run, err)
		}
		if _, err := s.RunBilling(ctx, store.Estates(b), a, jan, fees, nil); err == nil {
			t.Errorf("run of A from B: got no error, want one")
		}
		if _, err := s.IssueBill(ctx, all, hh, jan, 100, fees, nil); !errors.Is(err, models.ErrConflict) {
			t.Errorf("bill for an issued period: got %v, want ErrConflict", err)
		}
		bill, err := s.IssueBill(ctx, all, hh, models.Month{Year: 2026, Month: 2}, 30000, fees, nil)
		if err != nil || models.DateOf(bill.DueOn, time.UTC).String() != "2026-03-10" {
			t.Fatalf("issue: got %+v, %v, want due 2026-03-10", bill, err)
		}
		if _, err := s.Bill(ctx, store.Estates(b), bill.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("bill of A from B: got %v, want ErrNotFound", err)
		}

		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		// 23:30 UTC on 02-28 is 07:30 on 03-01 in Shanghai.
		p := models.FeePayment{HouseholdID: hh, AmountFen: 30000, PaidAt: time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC), Channel: models.PayWeChat, Reference: "wx-1"}
		first, created, err := s.RecordPayment(ctx, all, &p, shanghai)
		if err != nil || !created || models.DateOf(first.PaidOn, time.UTC).String() != "2026-03-01" {
			t.Fatalf("payment: got %+v, %v, %v, want created on 2026-03-01", first, created, err)
		}
		again := models.FeePayment{HouseholdID: hh, AmountFen: 30000, PaidAt: time.Now(), Channel: models.PayWeChat, Reference: "wx-1"}
		got, created, err := s.RecordPayment(ctx, all, &again, shanghai)
		if err != nil || created || got.ID != first.ID {
			t.Errorf("same reference: got %d, %v, %v, want payment %d again", got.ID, created, err, first.ID)
		}
		other := models.FeePayment{HouseholdID: hh, AmountFen: 1, PaidAt: time.Now(), Channel: models.PayWeChat, Reference: "wx-1"}
		if _, _, err := s.RecordPayment(ctx, all, &other, shanghai); !errors.Is(err, models.ErrConflict) {
			t.Errorf("same reference, other amount: got %v, want ErrConflict", err)
		}

		l, err := s.HouseholdLedger(ctx, all, hh)
		if err != nil || len(l.Bills) != 2 || len(l.Payments) != 1 {
			t.Fatalf("ledger: got %d bills, %d payments, %v", len(l.Bills), len(l.Payments), err)
		}
		bills, pays := l.Arith()
		acc := models.Statement(bills, pays, models.Date{Year: 2026, Month: 3, Day: 1}, fees)
		// January (due 02-10) is paid on 03-01 with 19 days' fee still owed: 30000*3*19/1000 = 1710.
		if acc.Principal != 30000 || acc.LateFee != 1710 {
			t.Errorf("statement: got principal %d late fee %d, want 30000 and 1710", acc.Principal, acc.LateFee)
		}
		w, err := s.WaiveLateFee(ctx, store.Estates(a), l.Bills[0].ID, 710, "困难业主", 1)
		if err != nil || w.AmountFen != 710 {
			t.Fatalf("waiver: got %+v, %v", w, err)
		}
		if _, err := s.WaiveLateFee(ctx, store.Estates(b), l.Bills[0].ID, 1, "x", 1); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("waiver from B: got %v, want ErrNotFound", err)
		}
		b0, _ := s.Bill(ctx, all, l.Bills[0].ID)
		if b0.WaivedFen != 710 {
			t.Errorf("waived: got %d, want 710", b0.WaivedFen)
		}
	})
}

func TestDisputesAndPlans(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		_, hh := arrearsHousehold(t, s, "A")
		bill, err := s.IssueBill(ctx, all, hh, models.Month{Year: 2026, Month: 2}, 30000, fees, nil) // due 03-10
		must(t, err)
		utc8 := time.FixedZone("CST", 8*3600)
		late := time.Date(2026, 3, 6, 0, 30, 0, 0, utc8)
		if _, err := s.OpenDispute(ctx, all, bill.ID, "面积有误", 1, late, utc8, fees); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("dispute on 03-06: got %v, want ErrInvalidState (closes 5 days before 03-10)", err)
		}
		opened := time.Date(2026, 3, 5, 23, 0, 0, 0, utc8)
		d, err := s.OpenDispute(ctx, all, bill.ID, "面积有误", 1, opened, utc8, fees)
		if err != nil || d.Status != models.DisputeOpen {
			t.Fatalf("dispute on 03-05: got %+v, %v", d, err)
		}
		if _, err := s.OpenDispute(ctx, all, bill.ID, "again", 1, opened, utc8, fees); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("second dispute: got %v, want ErrInvalidState", err)
		}
		fixed := models.Money(25000)
		d, err = s.ResolveDispute(ctx, all, d.ID, &fixed, "更正", 2, opened.Add(49*time.Hour))
		if err != nil || d.Status != models.DisputeCorrected || d.ShiftDays != 3 {
			t.Fatalf("resolve: got %+v, %v, want corrected, due moved 3 days", d, err)
		}
		got, _ := s.Bill(ctx, all, bill.ID)
		if got.AmountFen+got.AdjustedFen != 25000 || got.AmountFen != bill.AmountFen || got.Disputed || models.DateOf(got.DueOn, time.UTC).String() != "2026-03-13" ||
			models.DateOf(got.OriginalDueOn, time.UTC).String() != "2026-03-10" {
			t.Errorf("bill after resolution: got %+v, want its issued amount with a note to 25000, due 03-13 (issued for 03-10)", got)
		}
		if _, err := s.ResolveDispute(ctx, all, d.ID, nil, "again", 2, opened); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("resolve twice: got %v, want ErrInvalidState", err)
		}

		plan := models.InstalmentPlan{HouseholdID: hh, Reason: "失业", ProposedBy: 1,
			Instalments: []models.Instalment{{Due: models.Date{Year: 2026, Month: 4, Day: 1}, AmountFen: 10000}}}
		must(t, s.CreatePlan(ctx, all, &plan))
		must(t, s.SetPlanStatus(ctx, plan.ID, []models.PlanStatus{models.PlanProposed}, models.PlanActive, &plan.ProposedBy, opened))
		must(t, s.SetPlanStatus(ctx, plan.ID, []models.PlanStatus{models.PlanProposed}, models.PlanActive, nil, opened)) // a retry
		if err := s.SetPlanStatus(ctx, plan.ID, []models.PlanStatus{models.PlanProposed}, models.PlanRejected, nil, opened); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("reject an active plan: got %v, want ErrInvalidState", err)
		}
		plans, err := s.Plans(ctx, all, hh)
		if err != nil || len(plans) != 1 || plans[0].Status != models.PlanActive || plans[0].ApprovedAt == nil || len(plans[0].Instalments) != 1 {
			t.Errorf("plans: got %+v, %v", plans, err)
		}
	})
}

func TestCasesTasksAndLetters(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		a, hh := arrearsHousehold(t, s, "A")
		_, hhB := arrearsHousehold(t, s, "B")
		now := time.Date(2026, 3, 11, 1, 0, 0, 0, time.UTC)
		c, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, WorkflowID: "collection-1", Key: "collection-1/run-1", OpenedAt: now})
		if err != nil || c.EstateID != a || c.Stage != models.StageReminding {
			t.Fatalf("open case: got %+v, %v", c, err)
		}
		again, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, WorkflowID: "collection-1", Key: "collection-1/run-1", OpenedAt: now})
		if err != nil || again.ID != c.ID {
			t.Errorf("open the same case again: got %d, %v, want %d", again.ID, err, c.ID)
		}
		cB, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hhB, WorkflowID: "collection-2", Key: "collection-2/run-1", OpenedAt: now})
		must(t, err)

		due := models.DateTime(models.Date{Year: 2026, Month: 3, Day: 10})
		change := func(caseID uint64, key string, rev int64, stage models.CaseStage, owed models.Money) (bool, error) {
			return s.RecordCaseChange(ctx, store.CaseChange{CaseID: caseID, Progress: models.CaseProgress{Stage: stage, StepReached: 0,
				OwedFen: owed, OldestDueOn: &due, Revision: rev}, Event: models.CaseEvent{Key: key, Type: "step", Channel: models.ChannelSMS, Outcome: "sent", At: now}})
		}
		if ok, err := change(c.ID, "k/2", 2, models.StageDunning, 30090); !ok || err != nil {
			t.Errorf("record: got %v, %v", ok, err)
		}
		if ok, err := change(c.ID, "k/2", 2, models.StageDunning, 30090); ok || err != nil {
			t.Errorf("record twice: got %v, %v, want not recorded, no error", ok, err)
		}
		if ok, err := change(c.ID, "k/1", 1, models.StageReminding, 0); !ok || err != nil {
			t.Errorf("record an older revision's event: got %v, %v", ok, err)
		}
		if _, err := change(cB.ID, "kb/1", 1, models.StagePaused, 500); err != nil {
			t.Fatal(err)
		}
		got, err := s.Case(ctx, store.Estates(a), c.ID)
		if err != nil || got.Stage != models.StageDunning || got.OwedFen != 30090 || got.Revision != 2 {
			t.Errorf("case after an older write: got %+v, %v, want revision 2 kept", got.CaseProgress, err)
		}
		if _, err := s.Case(ctx, store.Estates(a), cB.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("case of B from A: got %v, want ErrNotFound", err)
		}
		list, err := s.Cases(ctx, all, store.CaseFilter{Open: true}, store.Page{})
		if err != nil || list.Total != 2 {
			t.Errorf("open cases: got %+v, %v", list, err)
		}
		totals, err := s.CaseTotals(ctx, store.Estates(a), store.CaseFilter{Open: true})
		if err != nil || len(totals) != 1 || totals[0].Stage != models.StageDunning || totals[0].Cases != 1 || totals[0].OwedFen != 30090 {
			t.Errorf("totals of A: got %+v, %v", totals, err)
		}
		evs, err := s.HouseholdEvents(ctx, store.Estates(a), hh)
		if err != nil || len(evs) != 2 || evs[0].Channel != models.ChannelSMS {
			t.Errorf("events: got %+v, %v", evs, err)
		}

		// Two customer-service agents: tasks go to the least loaded, lowest id first.
		cs1 := models.Staff{EstateID: &a, Username: "cs1", Name: "客服1", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		cs2 := models.Staff{EstateID: &a, Username: "cs2", Name: "客服2", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		must(t, s.CreateStaff(ctx, all, &cs1))
		must(t, s.CreateStaff(ctx, all, &cs2))
		var assigned []uint64
		for _, key := range []string{"t1", "t2", "t1"} {
			who, err := s.LeastLoadedStaff(ctx, a, models.RoleCustomerService)
			must(t, err)
			tk, err := s.CreateTask(ctx, &models.CollectionTask{Key: key, CaseID: c.ID, EstateID: a, HouseholdID: hh,
				Action: models.ActionPhoneCall, Role: models.RoleCustomerService, AssigneeID: who, DueAt: now})
			must(t, err)
			assigned = append(assigned, tk.AssigneeID)
		}
		if assigned[0] != cs1.ID || assigned[1] != cs2.ID || assigned[2] != cs1.ID {
			t.Errorf("assignees: got %v, want %d, %d, then the first task again", assigned, cs1.ID, cs2.ID)
		}
		if _, err := s.LeastLoadedStaff(ctx, a, models.RoleLegal); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("nobody in legal: got %v, want ErrNotFound", err)
		}
		tasks, _ := s.Tasks(ctx, all, store.TaskFilter{HouseholdID: hh}, store.Page{})
		res := store.TaskResult{Outcome: models.OutcomePromised, PromisedOn: &due, By: cs1.ID, At: now}
		must(t, s.CompleteTask(ctx, tasks.Items[0].ID, res))
		must(t, s.CompleteTask(ctx, tasks.Items[0].ID, res)) // a retry
		res.Outcome = models.OutcomeReached
		if err := s.CompleteTask(ctx, tasks.Items[0].ID, res); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("another outcome for a done task: got %v, want ErrInvalidState", err)
		}
		must(t, s.CloseTasks(ctx, c.ID))
		open, _ := s.Tasks(ctx, all, store.TaskFilter{Status: models.TaskOpen}, store.Page{})
		if open.Total != 0 {
			t.Errorf("open tasks after close: got %d, want 0", open.Total)
		}

		l := models.DemandLetter{Key: "n1", CaseID: c.ID, EstateID: a, HouseholdID: hh, ServedAt: now, ServedOn: due, PayBy: due, AmountFen: 1, Text: "催缴函"}
		first, err := s.IssueDemandLetter(ctx, &l)
		must(t, err)
		second, err := s.IssueDemandLetter(ctx, &models.DemandLetter{Key: "n1", CaseID: c.ID, EstateID: a, HouseholdID: hh, ServedAt: now, ServedOn: due, PayBy: due, Text: "x"})
		if err != nil || second.ID != first.ID || second.Text != "催缴函" {
			t.Errorf("the same letter twice: got %+v, %v", second, err)
		}
		// A letter awaiting service: its content round-trips; its service
		// is recorded once, with its delivery task.
		content := models.DemandLetterContent{Title: "物业服务费催缴函", TotalFen: 123456, TotalInWords: models.UppercaseYuan(123456)}
		pending, err := s.IssueDemandLetter(ctx, &models.DemandLetter{Key: "n2", CaseID: c.ID, EstateID: a, HouseholdID: hh, ServedAt: now,
			ServedOn: due, PayBy: due, AmountFen: 123456, Text: "催缴函", Content: &content, AwaitsService: true})
		must(t, err)
		task, err := s.CreateTask(ctx, &models.CollectionTask{Key: "n2/delivery", CaseID: c.ID, EstateID: a, HouseholdID: hh,
			Action: models.ActionFormalNotice, Role: models.RoleFinance, AssigneeID: tasks.Items[0].AssigneeID, DueAt: now})
		must(t, err)
		must(t, s.LinkLetterTask(ctx, pending.ID, task.ID))
		on, by := due.AddDate(0, 0, 1), tasks.Items[0].AssigneeID
		sv := models.LetterService{DeliveryMethod: models.DeliveryPosting, DeliveryProof: "IMG_1.jpg", DeliveredOn: &on, DeliveredBy: &by}
		must(t, s.RecordLetterService(ctx, pending.ID, sv, now))
		must(t, s.RecordLetterService(ctx, pending.ID, sv, now)) // the same again
		other := sv
		other.DeliveryMethod = models.DeliveryInPerson
		if err := s.RecordLetterService(ctx, pending.ID, other, now); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("another service of a served letter: got %v, want ErrInvalidState", err)
		}
		letter, err := s.DemandLetter(ctx, all, pending.ID)
		done, _ := s.Task(ctx, all, task.ID)
		if served, ok := letter.ServedDate(); err != nil || !ok || !served.In(time.UTC).Equal(on) || letter.Content == nil ||
			letter.Content.TotalInWords != "壹仟贰佰叁拾肆元伍角陆分" || letter.DeliveryProof != "IMG_1.jpg" || done.Status != models.TaskDone || done.Outcome != models.OutcomeServed {
			t.Errorf("served letter: got %+v (%v) and task %+v", letter, err, done)
		}
		if r, err := s.HouseholdResident(ctx, hh); err != nil || r == 0 {
			t.Errorf("resident: got %d, %v", r, err)
		}
	})
}

// TestCaseChangeRaisesItsTask: a collection escalation's change names the
// overdue task's new level, written with its event in one transaction:
// a retry (the same key) changes nothing, a task of another case is left
// alone, and a level is never lowered.
func TestCaseChangeRaisesItsTask(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		a, hh := arrearsHousehold(t, s, "A")
		now := time.Date(2026, 3, 11, 1, 0, 0, 0, time.UTC)
		c, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, WorkflowID: "collection-1", Key: "collection-1/run-1", OpenedAt: now})
		must(t, err)
		other, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, WorkflowID: "collection-1", Key: "collection-1/run-2", OpenedAt: now})
		must(t, err)
		cs := models.Staff{EstateID: &a, Username: "cs1", Name: "客服1", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		must(t, s.CreateStaff(ctx, all, &cs))
		task := func(caseID uint64, key string) models.CollectionTask {
			tk, err := s.CreateTask(ctx, &models.CollectionTask{Key: key, CaseID: caseID, EstateID: a, HouseholdID: hh,
				Action: models.ActionPhoneCall, Role: models.RoleCustomerService, AssigneeID: cs.ID, DueAt: now})
			must(t, err)
			return tk
		}
		mine, theirs := task(c.ID, "t1"), task(other.ID, "t2")
		escalate := func(key string, rev int64, taskID uint64, level int) bool {
			t.Helper()
			ok, err := s.RecordCaseChange(ctx, store.CaseChange{CaseID: c.ID, Progress: models.CaseProgress{Stage: models.StageDunning, Revision: rev},
				Event: models.CaseEvent{Key: key, Type: "task_escalated", At: now}, Task: &store.TaskLevel{TaskID: taskID, Level: level}})
			must(t, err)
			return ok
		}
		level := func(id uint64) int {
			t.Helper()
			tk, err := s.Task(ctx, all, id)
			must(t, err)
			return tk.EscalationLevel
		}
		if !escalate("k/2", 2, mine.ID, 2) || level(mine.ID) != 2 {
			t.Errorf("escalation to 2: task at %d, want 2 with the event recorded", level(mine.ID))
		}
		if escalate("k/2", 2, mine.ID, 3) || level(mine.ID) != 2 {
			t.Errorf("a retry of the recorded escalation: task at %d, want 2 and nothing recorded", level(mine.ID))
		}
		if !escalate("k/3", 3, mine.ID, 1) || level(mine.ID) != 2 {
			t.Errorf("a lower level: task at %d, want 2 kept", level(mine.ID))
		}
		if !escalate("k/4", 4, theirs.ID, 3) || level(theirs.ID) != 0 {
			t.Errorf("another case's task: at %d, want 0 (only the case's own tasks)", level(theirs.ID))
		}
	})
}
