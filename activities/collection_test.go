package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestCollectionActivities reads a household's account through the real
// store, opens its case once, assigns a task and issues a dated demand.
func TestCollectionActivities(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		e, _ := ticketFixture(t, s)
		b := models.Building{EstateID: e.ID, Name: "1栋"}
		u := models.Unit{BuildingID: b.ID, Number: "101"}
		hh := models.Household{UnitID: u.ID}
		for _, err := range []error{s.CreateBuilding(ctx, all, &b), func() error { u.BuildingID = b.ID; return s.CreateUnit(ctx, all, &u) }(),
			func() error { hh.UnitID = u.ID; return s.CreateHousehold(ctx, all, &hh) }()} {
			if err != nil {
				t.Fatal(err)
			}
		}
		r := models.Resident{HouseholdID: hh.ID, Name: "业主", Phone: "13812345678", Role: models.ResidentOwner}
		cs := models.Staff{EstateID: &e.ID, Username: "cs", Name: "客服", Role: models.RoleCustomerService, PasswordHash: "x", Active: true}
		if err := s.CreateResident(ctx, all, &r); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateStaff(ctx, all, &cs); err != nil {
			t.Fatal(err)
		}
		pol := models.DefaultPolicy()
		if _, err := s.IssueBill(ctx, all, hh.ID, models.Month{Year: 2026, Month: 2}, 30000, pol.Fees, nil); err != nil {
			t.Fatal(err)
		}

		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Collections{Store: s}
		env.RegisterActivity(a)
		asOf := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
		v, err := env.ExecuteActivity(a.Account, activities.AccountInput{HouseholdID: hh.ID, AsOf: asOf, TimeZone: "Asia/Shanghai", Fees: pol.Fees, Dunning: pol.Dunning})
		if err != nil {
			t.Fatal(err)
		}
		var acc activities.AccountResult
		_ = v.Get(&acc)
		// Due 03-10, 10 days late on 03-20: 900 fen.
		if acc.Account.Total != 30900 || len(acc.Open) != 1 || acc.Open[0].OriginalDue.String() != "2026-03-10" ||
			acc.ResidentID != r.ID || acc.Location != "1栋101" || acc.EstateName != "阳光花园" || !acc.History.FirstTimeLate {
			t.Errorf("account: got %+v", acc)
		}

		open := activities.OpenCaseInput{HouseholdID: hh.ID, WorkflowID: "collection-1", Key: "collection-1/r1", OpenedAt: asOf}
		var c1, c2 activities.OpenCaseResult
		v, err = env.ExecuteActivity(a.OpenCase, open)
		if err == nil {
			_ = v.Get(&c1)
			v, err = env.ExecuteActivity(a.OpenCase, open)
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Get(&c2)
		if c1.CaseID == 0 || c1.CaseID != c2.CaseID || c1.EstateID != e.ID {
			t.Errorf("open case twice: got %+v and %+v, want one case", c1, c2)
		}

		var task activities.TaskCreated
		v, err = env.ExecuteActivity(a.CreateTask, activities.TaskInput{Key: "collection-1/1/task-2", CaseID: c1.CaseID, EstateID: e.ID,
			HouseholdID: hh.ID, Action: models.ActionPhoneCall, Role: models.RoleCustomerService, DueAt: asOf.Add(72 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Get(&task)
		if task.AssigneeID != cs.ID {
			t.Errorf("task: got %+v, want it assigned to %d", task, cs.ID)
		}
		if _, err := env.ExecuteActivity(a.CreateTask, activities.TaskInput{Key: "k", CaseID: c1.CaseID, EstateID: e.ID,
			HouseholdID: hh.ID, Action: models.ActionVisit, Role: models.RoleEstateManager, DueAt: asOf}); err == nil {
			t.Errorf("task for a role nobody holds: got no error, want one")
		}

		var letter activities.DemandResult
		v, err = env.ExecuteActivity(a.IssueDemand, activities.DemandInput{Key: "collection-1/1/notice-4", CaseID: c1.CaseID, EstateID: e.ID,
			HouseholdID: hh.ID, ServedAt: asOf, TimeZone: "Asia/Shanghai", Fees: pol.Fees, Period: 30 * models.Day})
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Get(&letter)
		letters, _ := s.DemandLetters(ctx, all, hh.ID)
		if letter.ServedOn.String() != "2026-03-20" || letter.PayBy.String() != "2026-04-19" || letter.Amount != 30900 ||
			len(letters) != 1 || !strings.Contains(letters[0].Text, "309.00") {
			t.Errorf("demand: got %+v and %+v", letter, letters)
		}

		// With a delivery task the letter awaits service; recording it
		// closes the task.
		var pending activities.DemandResult
		in := activities.DemandInput{Key: "collection-1/1/notice-5", CaseID: c1.CaseID, EstateID: e.ID,
			HouseholdID: hh.ID, ServedAt: asOf, TimeZone: "Asia/Shanghai", Fees: pol.Fees, Period: 30 * models.Day,
			Delivery: &activities.TaskInput{Key: "collection-1/1/notice-5/delivery", CaseID: c1.CaseID, EstateID: e.ID,
				HouseholdID: hh.ID, Action: models.ActionFormalNotice, Role: models.RoleCustomerService, DueAt: asOf}}
		for range 2 { // the second issue finds the same letter and task
			if v, err = env.ExecuteActivity(a.IssueDemand, in); err != nil {
				t.Fatal(err)
			}
			_ = v.Get(&pending)
		}
		l, err := s.DemandLetter(ctx, all, pending.LetterID)
		if err != nil || !l.AwaitsService || l.TaskID == nil || *l.TaskID != pending.Task.TaskID || pending.Task.AssigneeID != cs.ID ||
			l.Content == nil || l.Content.TotalInWords != models.UppercaseYuan(30900) {
			t.Fatalf("pending letter: got %+v %+v (%v), want it awaiting service with its task", pending, l, err)
		}
		if _, ok := l.ServedDate(); ok {
			t.Errorf("pending letter: got served, want not yet")
		}
		serve := activities.ServiceInput{LetterID: l.ID, Method: models.DeliveryPost, TrackingNo: "SF100", ServedOn: models.Date{Year: 2026, Month: 3, Day: 22}, By: cs.ID, At: asOf}
		for range 2 { // idempotent
			if _, err := env.ExecuteActivity(a.RecordService, serve); err != nil {
				t.Fatal(err)
			}
		}
		l, _ = s.DemandLetter(ctx, all, l.ID)
		dt, _ := s.Task(ctx, all, *l.TaskID)
		if on, ok := l.ServedDate(); !ok || on.String() != "2026-03-22" || l.TrackingNo != "SF100" || dt.Status != models.TaskDone || dt.Outcome != models.OutcomeServed {
			t.Errorf("served letter: got %+v and task %+v, want served 2026-03-22 by post and the task done", l, dt)
		}
	})
}

// TestReleaseSlotActivity: messages of one batch draw 0, 1...; a retried
// key draws its number again; a key too long fails for good.
func TestReleaseSlotActivity(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		a := &activities.Collections{Store: s}
		env.RegisterActivity(a)
		batch := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)
		draw := func(key string) (int64, error) {
			v, err := env.ExecuteActivity(a.ReleaseSlot, activities.ReleaseInput{Key: key, EstateID: 1, Channel: models.ChannelSMS, Batch: batch})
			if err != nil {
				return 0, err
			}
			var n int64
			return n, v.Get(&n)
		}
		var got []int64
		for _, key := range []string{"collection-1/7/remind/a", "collection-2/8/remind/a", "collection-1/7/remind/a"} {
			n, err := draw(key)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		if got[0] != 0 || got[1] != 1 || got[2] != 0 {
			t.Errorf("numbers: got %v, want [0 1 0]", got)
		}
		if _, err := draw(strings.Repeat("k", models.MaxMessageKeyLen+1)); err == nil || !strings.Contains(err.Error(), "Permanent") {
			t.Errorf("a key too long: got %v, want a permanent error", err)
		}
	})
}
