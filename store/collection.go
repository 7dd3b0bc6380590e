package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// OpenCase creates the case of a collection process, once per c.Key: a second
// call with the same key returns the first case.
func (s *Store) OpenCase(ctx context.Context, c *models.CollectionCase) (models.CollectionCase, error) {
	db := s.db.WithContext(ctx)
	out, _, err := createOnce(db, "case_key", c.Key, c, func() error {
		var h models.Household
		if err := db.Select("id", "estate_id").First(&h, c.HouseholdID).Error; err != nil {
			return fmt.Errorf("household %d: %w", c.HouseholdID, translate(err))
		}
		c.ID, c.EstateID, c.OpenedAt = 0, h.EstateID, c.OpenedAt.UTC()
		if c.Stage == "" {
			c.Stage = models.StageReminding
		}
		return s.tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Create(c).Error; err != nil {
				return translate(err)
			}
			return moveCaseTotal(tx, caseTotal{}, caseTotal{EstateID: c.EstateID, Stage: c.Stage, OwedFen: c.OwedFen})
		})
	})
	if err != nil {
		return out, fmt.Errorf("open case %q: %w", c.Key, err)
	}
	return out, nil
}

// CaseChange is one transition of a case: its new progress and the event
// that explains it. Event.Key identifies the transition. Task, when set,
// is the level an overdue task of the case reached (its escalation).
type CaseChange struct {
	CaseID   uint64
	Progress models.CaseProgress
	Event    models.CaseEvent
	Task     *TaskLevel `json:",omitempty"`
}

// TaskLevel is the escalation level a case's task reached.
type TaskLevel struct {
	TaskID uint64
	Level  int
}

// RecordCaseChange writes the event and the case's new progress, and the
// task's level when c names one, in one transaction (recordChange).
func (s *Store) RecordCaseChange(ctx context.Context, c CaseChange) (recorded bool, err error) {
	p := c.Progress
	p.NextStepAt, p.PausedUntil, p.OldestDueOn = utc(p.NextStepAt), utc(p.PausedUntil), utc(p.OldestDueOn)
	p.CheckedAt, p.NoticeServedAt, p.ClosedAt = utc(p.CheckedAt), utc(p.NoticeServedAt), utc(p.ClosedAt)
	p.LegalSince = utc(p.LegalSince)
	ch := change{ref: models.CaseRef{Kind: models.KindCollection, ID: c.CaseID},
		row: &models.CollectionCase{CaseProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event}
	if t := c.Task; t != nil {
		ch.also = func(tx *gorm.DB) error {
			return escalateTask(tx.Where("case_id = ?", c.CaseID), t.TaskID, t.Level)
		}
	}
	return s.recordChange(ctx, ch)
}

// Case reads one case inside scope.
func (s *Store) Case(ctx context.Context, scope Scope, id uint64) (models.CollectionCase, error) {
	return scoped[models.CollectionCase](s, ctx, scope, id, "case")
}

// LatestCase reads the newest case of a household inside scope.
func (s *Store) LatestCase(ctx context.Context, scope Scope, householdID uint64) (models.CollectionCase, error) {
	var c models.CollectionCase
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("household_id = ?", householdID)
	if err := q.Order("id DESC").First(&c).Error; err != nil {
		return c, fmt.Errorf("case of household %d: %w", householdID, translate(err))
	}
	return c, nil
}

// PreviousCase reads the newest closed case of a household older than
// case before (models.ErrNotFound when there is none).
func (s *Store) PreviousCase(ctx context.Context, householdID, before uint64) (models.CollectionCase, error) {
	var c models.CollectionCase
	q := s.db.WithContext(ctx).Where("household_id = ? AND id < ? AND stage = ?", householdID, before, models.StageClosed)
	if err := q.Order("id DESC").First(&c).Error; err != nil {
		return c, fmt.Errorf("case of household %d before %d: %w", householdID, before, translate(err))
	}
	return c, nil
}

// CaseFilter narrows a case list. Open keeps cases not closed (the default
// of the arrears list); a Stage overrides it.
type CaseFilter struct {
	EstateID uint64
	Stage    models.CaseStage
	Open     bool
	// Legal: only the cases awaiting or referred to legal (Stage aside).
	Legal bool
	// Search is the search box's text (searchText): a room, a resident's
	// name or a case's number.
	Search string
	// AssigneeID keeps the cases with an open task (a call, a visit)
	// assigned to this member of staff.
	AssigneeID uint64
}

// CaseSorts are the orders of the arrears list, by field name.
var CaseSorts = SortKeys[models.CollectionCase]{
	"id":            idKey(func(c models.CollectionCase) uint64 { return c.ID }),
	"oldest_due_on": {Column: "oldest_due_on", Nullable: true, Value: func(c models.CollectionCase) any { return c.OldestDueOn }},
	"owed_fen":      {Column: "owed_fen", Value: func(c models.CollectionCase) any { return c.OwedFen }},
	"stage":         {Column: "stage", Value: func(c models.CollectionCase) any { return c.Stage }},
	"next_step_at":  {Column: "next_step_at", Nullable: true, Value: func(c models.CollectionCase) any { return c.NextStepAt }},
	"opened_at":     {Column: "opened_at", Value: func(c models.CollectionCase) any { return c.OpenedAt }},
	"household_id":  {Column: "household_id", Value: func(c models.CollectionCase) any { return c.HouseholdID }},
}

// stageFilter narrows q (cases or their stage totals) to f's stages.
func stageFilter(q *gorm.DB, f CaseFilter) *gorm.DB {
	switch {
	case f.Stage != "":
		return q.Where("stage = ?", f.Stage)
	case f.Legal:
		return q.Where("stage IN ?", []models.CaseStage{models.StageLegalPending, models.StageLegal})
	case f.Open:
		return q.Where("stage <> ?", models.StageClosed)
	}
	return q
}

func (s *Store) caseQuery(ctx context.Context, scope Scope, f CaseFilter) *gorm.DB {
	q := stageFilter(queryIn[models.CollectionCase](s, ctx, scope, f.EstateID), f)
	if f.AssigneeID != 0 {
		q = q.Where("id IN (?)", s.db.Model(&models.CollectionTask{}).Select("case_id").
			Where("status = ? AND assignee_id = ?", models.TaskOpen, f.AssigneeID))
	}
	return s.searchText(f.Search, "id", "household_id")(q)
}

// OpenTaskAssignees maps each of the cases among caseIDs with an open task
// to the staff member assigned its earliest due one (the case's 处理人).
func (s *Store) OpenTaskAssignees(ctx context.Context, caseIDs []uint64) (map[uint64]uint64, error) {
	out := map[uint64]uint64{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	var tasks []models.CollectionTask
	if err := s.db.WithContext(ctx).Select("case_id", "assignee_id").Where("case_id IN ? AND status = ?", caseIDs, models.TaskOpen).
		Order("due_at DESC, id DESC").Find(&tasks).Error; err != nil {
		return nil, fmt.Errorf("open tasks of %d cases: %w", len(caseIDs), translate(err))
	}
	for _, t := range tasks {
		out[t.CaseID] = t.AssigneeID // the earliest due comes last and stays
	}
	return out, nil
}

// Cases lists cases inside scope in page.Sort (CaseSorts), by default oldest
// unpaid bill first. The total comes from the stage totals (CaseTotals)
// where f narrows by stage only.
func (s *Store) Cases(ctx context.Context, scope Scope, f CaseFilter, page Page) (List[models.CollectionCase], error) {
	fromTotals := !page.Batch && f.Search == "" && f.AssigneeID == 0
	p := page
	if fromTotals {
		p.Size, p.Batch = page.size(), true // no count: the totals have it
	}
	out, err := sortedList(s.caseQuery(ctx, scope, f), p, CaseSorts, Sort{Field: "oldest_due_on"})
	if err != nil {
		return out, fmt.Errorf("list cases: %w", err)
	}
	if fromTotals {
		totals, err := s.CaseTotals(ctx, scope, f)
		if err != nil {
			return out, fmt.Errorf("list cases: %w", err)
		}
		for _, t := range totals {
			out.Total += t.Cases
		}
	}
	return out, nil
}

// StageTotal is the number of cases in a stage and what they owe.
type StageTotal struct {
	Stage   models.CaseStage `json:"stage"`
	Cases   int64            `json:"cases"`
	OwedFen models.Money     `json:"owed_fen"`
}

// HouseholdEvents lists every collection event of a household inside scope,
// over all its cases, oldest first.
func (s *Store) HouseholdEvents(ctx context.Context, scope Scope, householdID uint64) ([]models.CaseEvent, error) {
	out := []models.CaseEvent{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("kind = ? AND household_id = ?", models.KindCollection, householdID)
	if err := q.Order("at, revision, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("collection events of household %d: %w", householdID, translate(err))
	}
	return out, nil
}

// LeastLoadedStaff picks who carries out a task for role in an estate: the
// active staff member with the least open work of every kind (leastLoaded). models.ErrNotFound when the estate has nobody in role.
func (s *Store) LeastLoadedStaff(ctx context.Context, estateID uint64, role models.Role) (uint64, error) {
	ids, err := s.StaffToNotify(ctx, estateID, role)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("staff of estate %d as %s: %w", estateID, role, models.ErrNotFound)
	}
	return s.leastLoaded(ctx, ids)
}

// CreateTask adds a task, once per t.Key: a second call returns the first.
func (s *Store) CreateTask(ctx context.Context, t *models.CollectionTask) (models.CollectionTask, error) {
	db := s.db.WithContext(ctx)
	out, _, err := createOnce(db, "task_key", t.Key, t, func() error {
		t.ID, t.Status, t.DueAt = 0, models.TaskOpen, t.DueAt.UTC()
		return translate(db.Create(t).Error)
	})
	if err != nil {
		return out, fmt.Errorf("create task %q: %w", t.Key, err)
	}
	return out, nil
}

// Task reads one task inside scope.
func (s *Store) Task(ctx context.Context, scope Scope, id uint64) (models.CollectionTask, error) {
	return scoped[models.CollectionTask](s, ctx, scope, id, "task")
}

// TaskFilter narrows a task list.
type TaskFilter struct {
	EstateID    uint64
	HouseholdID uint64
	AssigneeID  uint64
	Status      models.TaskStatus
}

// Tasks lists tasks inside scope, earliest due first.
func (s *Store) Tasks(ctx context.Context, scope Scope, f TaskFilter, page Page) (List[models.CollectionTask], error) {
	return listIn[models.CollectionTask](s, ctx, scope, f.EstateID, page, "due_at, id",
		eq("household_id", f.HouseholdID), eq("assignee_id", f.AssigneeID), eq("status", f.Status))
}

// TaskResult is the recorded outcome of a task.
type TaskResult struct {
	Outcome    models.TaskOutcome
	Note       string
	PromisedOn *time.Time
	By         uint64
	At         time.Time
}

// CompleteTask records the outcome of an open task. A task already done
// with the same outcome is left as it is (a retried call).
func (s *Store) CompleteTask(ctx context.Context, id uint64, r TaskResult) error {
	at := r.At.UTC()
	res := s.db.WithContext(ctx).Model(&models.CollectionTask{}).Where("id = ? AND status = ?", id, models.TaskOpen).
		Updates(map[string]any{"status": models.TaskDone, "outcome": r.Outcome, "note": r.Note,
			"promised_on": r.PromisedOn, "done_by": r.By, "done_at": at})
	if res.Error != nil {
		return fmt.Errorf("complete task %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var t models.CollectionTask
	if err := s.db.WithContext(ctx).First(&t, id).Error; err != nil {
		return fmt.Errorf("complete task %d: %w", id, translate(err))
	}
	if t.Status == models.TaskDone && t.Outcome == r.Outcome {
		return nil
	}
	return fmt.Errorf("complete task %d: %w: it is %s", id, models.ErrInvalidState, t.Status)
}

// EscalateTask records that an overdue task reached level.
func (s *Store) EscalateTask(ctx context.Context, id uint64, level int) error {
	return escalateTask(s.db.WithContext(ctx), id, level)
}

// escalateTask raises task id to level in db (never lowers it).
func escalateTask(db *gorm.DB, id uint64, level int) error {
	err := db.Model(&models.CollectionTask{}).Where("id = ? AND escalation_level < ?", id, level).
		Update("escalation_level", level).Error
	if err != nil {
		return fmt.Errorf("escalate task %d: %w", id, translate(err))
	}
	return nil
}

// CloseTasks closes every open task of a case (it ended first).
func (s *Store) CloseTasks(ctx context.Context, caseID uint64) error {
	err := s.db.WithContext(ctx).Model(&models.CollectionTask{}).Where("case_id = ? AND status = ?", caseID, models.TaskOpen).
		Update("status", models.TaskClosed).Error
	if err != nil {
		return fmt.Errorf("close tasks of case %d: %w", caseID, translate(err))
	}
	return nil
}

// IssueDemandLetter stores a formal demand, once per l.Key.
func (s *Store) IssueDemandLetter(ctx context.Context, l *models.DemandLetter) (models.DemandLetter, error) {
	db := s.db.WithContext(ctx)
	out, _, err := createOnce(db, "letter_key", l.Key, l, func() error {
		l.ID, l.ServedAt = 0, l.ServedAt.UTC()
		return translate(db.Create(l).Error)
	})
	if err != nil {
		return out, fmt.Errorf("demand letter %q: %w", l.Key, err)
	}
	return out, nil
}

// DemandLetter reads one demand letter inside scope.
func (s *Store) DemandLetter(ctx context.Context, scope Scope, id uint64) (models.DemandLetter, error) {
	return scoped[models.DemandLetter](s, ctx, scope, id, "demand letter")
}

// LinkLetterTask records the delivery task of a letter that awaits service.
func (s *Store) LinkLetterTask(ctx context.Context, letterID, taskID uint64) error {
	err := s.db.WithContext(ctx).Model(&models.DemandLetter{}).Where("id = ?", letterID).Update("task_id", taskID).Error
	if err != nil {
		return fmt.Errorf("link letter %d to task %d: %w", letterID, taskID, translate(err))
	}
	return nil
}

// RecordLetterService records how, when and by whom a letter was served,
// and closes its delivery task as served, together. Recording the same
// service again changes nothing; a letter served otherwise is ErrInvalidState.
func (s *Store) RecordLetterService(ctx context.Context, letterID uint64, sv models.LetterService, at time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l models.DemandLetter
		if err := tx.First(&l, letterID).Error; err != nil {
			return fmt.Errorf("serve letter %d: %w", letterID, translate(err))
		}
		if !l.AwaitsService {
			if l.DeliveredOn != nil && l.DeliveredOn.Equal(*sv.DeliveredOn) && l.DeliveryMethod == sv.DeliveryMethod {
				return nil
			}
			return fmt.Errorf("serve letter %d: %w: already served", letterID, models.ErrInvalidState)
		}
		on := sv.DeliveredOn.UTC()
		sv.DeliveredOn = &on
		if err := tx.Model(&l).Select("awaits_service", "delivery_method", "tracking_no", "delivery_proof", "delivered_on", "delivered_by").
			Updates(&models.DemandLetter{LetterService: sv}).Error; err != nil {
			return fmt.Errorf("serve letter %d: %w", letterID, translate(err))
		}
		if l.TaskID == nil {
			return nil
		}
		err := tx.Model(&models.CollectionTask{}).Where("id = ? AND status = ?", *l.TaskID, models.TaskOpen).
			Updates(map[string]any{"status": models.TaskDone, "outcome": models.OutcomeServed, "note": sv.DeliveryProof,
				"done_by": sv.DeliveredBy, "done_at": at.UTC()}).Error
		if err != nil {
			return fmt.Errorf("close delivery task %d: %w", *l.TaskID, translate(err))
		}
		return nil
	})
}

// DemandLetters lists the formal demands served on a household inside scope,
// oldest first.
func (s *Store) DemandLetters(ctx context.Context, scope Scope, householdID uint64) ([]models.DemandLetter, error) {
	out := []models.DemandLetter{}
	q := scope.where(s.db.WithContext(ctx), "estate_id").Where("household_id = ?", householdID)
	if err := q.Order("served_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("demand letters of household %d: %w", householdID, translate(err))
	}
	return out, nil
}

// HouseholdResident picks the resident collection messages go to: the first
// owner, else the first tenant; 0 when the household has none.
func (s *Store) HouseholdResident(ctx context.Context, householdID uint64) (uint64, error) {
	var r models.Resident
	err := s.db.WithContext(ctx).Select("id").Where("household_id = ?", householdID).
		Order("CASE WHEN role = 'owner' THEN 0 ELSE 1 END, id").First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("resident of household %d: %w", householdID, translate(err))
	}
	return r.ID, nil
}
