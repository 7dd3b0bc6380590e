package models

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// SurveyPolicy is an estate's rules for satisfaction surveys (满意度调查)
// and the staff performance (绩效) read from them.
type SurveyPolicy struct {
	// MinOpen and MaxOpen bound how long a campaign takes answers.
	MinOpen Duration `json:"min_open"`
	MaxOpen Duration `json:"max_open"`
	// CloseGrace is how long after its quarter's end a campaign may close.
	CloseGrace Duration `json:"close_grace"`
	// Reminders are the default reminders to non-respondents, counted from
	// the opening.
	Reminders []Duration `json:"reminders"`
	// SendFrom and SendUntil ("HH:MM", estate time) are the hours in which
	// invitations and reminders go out; a reminder due outside waits.
	SendFrom  string `json:"send_from"`
	SendUntil string `json:"send_until"`
	// LowScoreThreshold: a score (1..5) at or below it is low.
	LowScoreThreshold int `json:"low_score_threshold"`
	// LowScoreOpens is what a low answer opens: complaint, visit or none.
	LowScoreOpens LowScoreAction `json:"low_score_opens"`
	// InviteBatch is how many households one invitation activity sends to.
	InviteBatch int `json:"invite_batch"`
	// StaffAreas says which service area's survey scores count for the
	// staff of each role.
	StaffAreas []RoleArea `json:"staff_areas"`
}

// RoleArea ties a staff role to the service area its surveys score.
type RoleArea struct {
	Role Role        `json:"role"`
	Area ServiceArea `json:"area"`
}

// DefaultSurveyPolicy is the quarterly survey of seed 004 (每季度进行一次).
func DefaultSurveyPolicy() SurveyPolicy {
	return SurveyPolicy{
		MinOpen:           Duration(7 * Day),
		MaxOpen:           Duration(45 * Day),
		CloseGrace:        Duration(15 * Day),
		Reminders:         []Duration{Duration(3 * Day), Duration(6 * Day)},
		SendFrom:          "09:00",
		SendUntil:         "20:00",
		LowScoreThreshold: 2,
		LowScoreOpens:     LowOpensVisit,
		InviteBatch:       50,
		StaffAreas: []RoleArea{
			{Role: RoleTechnician, Area: AreaRepair},
			{Role: RoleCustomerService, Area: AreaCustomerService},
		},
	}
}

// Surveys is p's survey policy, or the defaults for a policy saved before
// it had one.
func (p Policy) Surveys() SurveyPolicy {
	if p.Survey.MaxOpen == 0 {
		return DefaultSurveyPolicy()
	}
	return p.Survey
}

// AreaOf is the service area whose scores count for staff of role r; false
// for none.
func (p SurveyPolicy) AreaOf(r Role) (ServiceArea, bool) {
	for _, ra := range p.StaffAreas {
		if ra.Role == r {
			return ra.Area, true
		}
	}
	return "", false
}

func (p SurveyPolicy) validate(path string) error {
	if p.MaxOpen == 0 && p.MinOpen == 0 && p.SendFrom == "" {
		return nil // saved before surveys existed: the defaults
	}
	if err := within(path+".min_open", p.MinOpen, 90*Day); err != nil {
		return err
	}
	if err := within(path+".max_open", p.MaxOpen, 90*Day); err != nil {
		return err
	}
	if p.MaxOpen < p.MinOpen {
		return Invalid(path+".max_open", "%s 无效，不能短于最短开放时长 min_open（%s）", p.MaxOpen, p.MinOpen)
	}
	if p.CloseGrace < 0 || p.CloseGrace > Duration(90*Day) {
		return Invalid(path+".close_grace", "%s 无效，应为 0 至 %s", p.CloseGrace, Duration(90*Day))
	}
	if len(p.Reminders) > 10 {
		return Invalid(path+".reminders", "共 %d 次，最多 10 次", len(p.Reminders))
	}
	for i, r := range p.Reminders {
		rp := fmt.Sprintf("%s.reminders[%d]", path, i)
		if err := positive(rp, r); err != nil {
			return err
		}
		if r >= p.MinOpen {
			return Invalid(rp, "%s 无效，应早于最短开放时长 min_open（%s），以便每次调查都会发送", r, p.MinOpen)
		}
		if i > 0 && r <= p.Reminders[i-1] {
			return Invalid(rp, "%s 无效，应大于上一次提醒的 %s", r, p.Reminders[i-1])
		}
	}
	from, err := parseClock(p.SendFrom)
	if err != nil {
		return Invalid(path+".send_from", "%v", err)
	}
	until, err := parseClock(p.SendUntil)
	if err != nil {
		return Invalid(path+".send_until", "%v", err)
	}
	if until-from < time.Hour {
		return Invalid(path+".send_until", "%s 无效，应比开始发送时间 send_from（%s）至少晚一小时", p.SendUntil, p.SendFrom)
	}
	if err := intIn(path+".low_score_threshold", p.LowScoreThreshold, 0, MaxScore-1); err != nil {
		return err
	}
	if err := lowScoreActions.check(path+".low_score_opens", p.LowScoreOpens); err != nil {
		return err
	}
	if err := intIn(path+".invite_batch", p.InviteBatch, 1, 500); err != nil {
		return err
	}
	seen := map[Role]bool{}
	for i, ra := range p.StaffAreas {
		rp := fmt.Sprintf("%s.staff_areas[%d]", path, i)
		if !ra.Role.Valid() {
			return Invalid(rp+".role", "“%s”无效，应为员工角色", ra.Role)
		}
		if seen[ra.Role] {
			return Invalid(rp+".role", "“%s”重复", ra.Role)
		}
		seen[ra.Role] = true
		if err := serviceAreas.check(rp+".area", ra.Area); err != nil {
			return err
		}
	}
	return nil
}

// PerfTicket is one ticket closed in the month, as staff performance reads
// it: its assignee, whether every deadline it counted was met, its return
// visit score (nil: none) and how often it was reopened.
type PerfTicket struct {
	TicketID   uint64 `json:"ticket_id"`
	AssigneeID uint64 `json:"assignee_id"`
	// Counted is how many deadlines counted (met or late), Met how many
	// were met.
	Counted int  `json:"counted"`
	Met     int  `json:"met"`
	Score   *int `json:"score,omitempty"`
	Reopens int  `json:"reopens"`
}

// PerfSurveyScore is one survey score given in the month, with its area.
type PerfSurveyScore struct {
	ResponseID uint64      `json:"response_id"`
	Area       ServiceArea `json:"area"`
	Score      int         `json:"score"`
}

// PerfStaff is a staff member performance counts: their ID and role.
type PerfStaff struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// PerfFigure is one figure of a staff member's month with the records
// behind it: the ticket IDs (or survey response IDs) it counts.
type PerfFigure struct {
	// Value is the figure: a percentage or a mean score (two decimals);
	// nil when nothing counted.
	Value *float64 `json:"value"`
	Of    int      `json:"of"`
	IDs   []uint64 `json:"ids"`
}

// StaffPerformance is one staff member's month (月度绩效).
type StaffPerformance struct {
	Staff   PerfStaff `json:"staff"`
	Tickets int       `json:"tickets"`
	// SLAMet is the share (%) of their closed tickets that met every
	// deadline; IDs are the tickets that did.
	SLAMet PerfFigure `json:"sla_met"`
	// SLAMissed lists the tickets that missed one.
	SLAMissed []uint64 `json:"sla_missed"`
	// ReturnVisit is the mean return-visit score; IDs the scored tickets.
	ReturnVisit PerfFigure `json:"return_visit"`
	// Survey is the mean survey score of their role's area (Area); IDs
	// the survey responses.
	Area   ServiceArea `json:"area,omitempty"`
	Survey PerfFigure  `json:"survey"`
	// Reopen is the share (%) of their closed tickets reopened; IDs those
	// tickets.
	Reopen PerfFigure `json:"reopen"`
}

// StaffPerformances computes a month's performance of staff from the
// tickets closed in it and the survey scores given in it, under p: one row
// per staff member, in the order of staff; every figure lists the IDs it
// counts.
func StaffPerformances(p SurveyPolicy, staff []PerfStaff, tickets []PerfTicket, scores []PerfSurveyScore) []StaffPerformance {
	out := make([]StaffPerformance, 0, len(staff))
	for _, st := range staff {
		sp := StaffPerformance{Staff: st, SLAMissed: []uint64{}}
		var met, closed, reopened, scored []uint64
		var scoreSum int
		for _, t := range tickets {
			if t.AssigneeID != st.ID {
				continue
			}
			closed = append(closed, t.TicketID)
			if t.Counted == 0 || t.Met == t.Counted {
				met = append(met, t.TicketID)
			} else {
				sp.SLAMissed = append(sp.SLAMissed, t.TicketID)
			}
			if t.Reopens > 0 {
				reopened = append(reopened, t.TicketID)
			}
			if t.Score != nil {
				scored = append(scored, t.TicketID)
				scoreSum += *t.Score
			}
		}
		sp.Tickets = len(closed)
		sp.SLAMet = percentFigure(met, len(closed))
		sp.Reopen = percentFigure(reopened, len(closed))
		sp.ReturnVisit = meanFigure(scored, scoreSum)
		if area, ok := p.AreaOf(st.Role); ok {
			sp.Area = area
			n, sum := 0, 0
			ids := []uint64{}
			for _, s := range scores {
				if s.Area == area {
					n++
					sum += s.Score
					if !slices.Contains(ids, s.ResponseID) {
						ids = append(ids, s.ResponseID)
					}
				}
			}
			sp.Survey = PerfFigure{Of: n, IDs: ids}
			if n > 0 {
				v := math.Round(float64(sum)*100/float64(n)) / 100
				sp.Survey.Value = &v
			}
		} else {
			sp.Survey = PerfFigure{IDs: []uint64{}}
		}
		out = append(out, sp)
	}
	return out
}

func percentFigure(ids []uint64, of int) PerfFigure {
	f := PerfFigure{Of: of, IDs: append([]uint64{}, ids...)}
	if of > 0 {
		v := math.Round(float64(len(ids))*1000/float64(of)) / 10
		f.Value = &v
	}
	return f
}

func meanFigure(ids []uint64, sum int) PerfFigure {
	f := PerfFigure{Of: len(ids), IDs: append([]uint64{}, ids...)}
	if len(ids) > 0 {
		v := math.Round(float64(sum)*100/float64(len(ids))) / 100
		f.Value = &v
	}
	return f
}
