package models

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func units(buildings map[string]int) []SampleUnit {
	var out []SampleUnit
	id := uint64(1)
	for _, b := range []string{"1栋", "2栋", "3栋"} {
		for i := 0; i < buildings[b]; i++ {
			out = append(out, SampleUnit{HouseholdID: id, Building: b})
			id++
		}
	}
	return out
}

func TestDrawSample(t *testing.T) {
	us := units(map[string]int{"1栋": 10, "2栋": 3, "3栋": 1})
	count := func(s []SampleUnit) map[string]int {
		m := map[string]int{}
		for _, u := range s {
			m[u.Building]++
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		sample SurveySample
		want   map[string]int
	}{
		{"all", SurveySample{Mode: SampleAll}, map[string]int{"1栋": 10, "2栋": 3, "3栋": 1}},
		{"30% rounds up per building", SurveySample{Mode: SampleStratified, RatePercent: 30}, map[string]int{"1栋": 3, "2栋": 1, "3栋": 1}},
		{"minimum per building", SurveySample{Mode: SampleStratified, RatePercent: 10, MinPerBuilding: 2}, map[string]int{"1栋": 2, "2栋": 2, "3栋": 1}},
		{"100%", SurveySample{Mode: SampleStratified, RatePercent: 100}, map[string]int{"1栋": 10, "2栋": 3, "3栋": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DrawSample(7, tc.sample, us)
			if c := count(got); !reflect.DeepEqual(c, tc.want) {
				t.Fatalf("per building %v, want %v", c, tc.want)
			}
			for i := 1; i < len(got); i++ {
				if got[i-1].HouseholdID >= got[i].HouseholdID {
					t.Fatalf("not ordered by household: %v", got)
				}
			}
		})
	}
	t.Run("deterministic by campaign", func(t *testing.T) {
		s := SurveySample{Mode: SampleStratified, RatePercent: 30}
		shuffled := append([]SampleUnit{}, us...)
		for i, j := 0, len(shuffled)-1; i < j; i, j = i+1, j-1 {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
		a, b := DrawSample(7, s, us), DrawSample(7, s, shuffled)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("same campaign, same households: %v then %v", a, b)
		}
		differs := false
		for id := uint64(8); id < 40 && !differs; id++ {
			differs = !reflect.DeepEqual(a, DrawSample(id, s, us))
		}
		if !differs {
			t.Fatal("every campaign drew the same sample")
		}
	})
}

func TestReminderTimes(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	p := DefaultSurveyPolicy() // 09:00 to 20:00
	at := func(d, h, m int) time.Time { return time.Date(2026, 10, d, h, m, 0, 0, loc) }
	for _, tc := range []struct {
		name          string
		opens, closes time.Time
		offsets       []Duration
		want          []time.Time
	}{
		{"inside the hours", at(5, 10, 0), at(20, 0, 0), []Duration{Duration(3 * Day)}, []time.Time{at(8, 10, 0)}},
		{"late evening waits for morning", at(5, 21, 0), at(20, 0, 0), []Duration{Duration(Day)}, []time.Time{at(7, 9, 0)}},
		{"early morning waits", at(5, 7, 30), at(20, 0, 0), []Duration{Duration(Day)}, []time.Time{at(6, 9, 0)}},
		{"at the closing dropped", at(5, 10, 0), at(8, 10, 0), []Duration{Duration(Day), Duration(3 * Day)}, []time.Time{at(6, 10, 0)}},
		{"two landing on one morning kept once", at(5, 21, 0), at(20, 0, 0), []Duration{Duration(time.Hour), Duration(2 * time.Hour)}, []time.Time{at(6, 9, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReminderTimes(p, tc.opens, tc.closes, tc.offsets, loc)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Fatalf("reminder %d at %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestSurveyCampaignCheck(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 10, 5, 10, 0, 0, 0, loc)
	p := DefaultSurveyPolicy()
	ok := func() SurveyCampaignSpec {
		return SurveyCampaignSpec{Quarter: "2026Q4", Sample: SurveySample{Mode: SampleAll},
			OpensAt: now.Add(time.Hour), ClosesAt: now.Add(10 * 24 * time.Hour)}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*SurveyCampaignSpec)
		field string
	}{
		{"valid", func(*SurveyCampaignSpec) {}, ""},
		{"opening defaults to now", func(c *SurveyCampaignSpec) { c.OpensAt = time.Time{} }, ""},
		{"bad quarter", func(c *SurveyCampaignSpec) { c.Quarter = "2026Q5" }, "quarter"},
		{"opening in the past", func(c *SurveyCampaignSpec) { c.OpensAt = now.Add(-time.Hour) }, "opens_at"},
		{"opening outside the quarter", func(c *SurveyCampaignSpec) {
			c.Quarter = "2027Q1"
		}, "opens_at"},
		{"too short", func(c *SurveyCampaignSpec) { c.ClosesAt = c.OpensAt.Add(24 * time.Hour) }, "closes_at"},
		{"too long", func(c *SurveyCampaignSpec) { c.ClosesAt = c.OpensAt.Add(60 * 24 * time.Hour) }, "closes_at"},
		{"past the grace", func(c *SurveyCampaignSpec) {
			c.OpensAt = time.Date(2026, 12, 20, 10, 0, 0, 0, loc)
			c.ClosesAt = time.Date(2027, 1, 25, 0, 0, 0, 0, loc)
		}, "closes_at"},
		{"bad sample", func(c *SurveyCampaignSpec) { c.Sample = SurveySample{Mode: SampleStratified} }, "sample.rate_percent"},
		{"reminder after closing", func(c *SurveyCampaignSpec) { c.Reminders = []Duration{Duration(20 * Day)} }, "reminders[0]"},
		{"reminders out of order", func(c *SurveyCampaignSpec) { c.Reminders = []Duration{Duration(2 * Day), Duration(Day)} }, "reminders[1]"},
		{"bad question", func(c *SurveyCampaignSpec) {
			c.Questionnaire = Questionnaire{Questions: []SurveyQuestion{{ID: "a", Type: QuestionScore, Text: "x", Area: "parking"}}}
		}, "questionnaire.questions[0].area"},
		{"choice without options", func(c *SurveyCampaignSpec) {
			c.Questionnaire = Questionnaire{Questions: []SurveyQuestion{{ID: "a", Type: QuestionChoice, Text: "x", Area: AreaCleaning}}}
		}, "questionnaire.questions[0].options"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.edit(&c)
			_, err := c.Check(p, now, loc)
			if got := fieldOf(err); got != tc.field {
				t.Fatalf("field %q (%v), want %q", got, err, tc.field)
			}
			if err == nil && (len(c.Questionnaire.Questions) == 0 || len(c.Reminders) == 0 || c.Title == "") {
				t.Fatalf("defaults not filled: %+v", c)
			}
		})
	}
}

func TestCheckAnswers(t *testing.T) {
	q := DefaultQuestionnaire()
	full := func() []SurveyAnswerItem {
		return []SurveyAnswerItem{{QuestionID: "repair", Score: 5}, {QuestionID: "cleaning", Score: 4},
			{QuestionID: "security", Score: 3}, {QuestionID: "greening", Score: 4}, {QuestionID: "service", Score: 5}}
	}
	for _, tc := range []struct {
		name  string
		edit  func([]SurveyAnswerItem) []SurveyAnswerItem
		field string
	}{
		{"required only", func(a []SurveyAnswerItem) []SurveyAnswerItem { return a }, ""},
		{"choice and text", func(a []SurveyAnswerItem) []SurveyAnswerItem {
			return append(a, SurveyAnswerItem{QuestionID: "contact", Choice: "微信"}, SurveyAnswerItem{QuestionID: "advice", Text: "很好"})
		}, ""},
		{"missing required", func(a []SurveyAnswerItem) []SurveyAnswerItem { return a[1:] }, "answers"},
		{"score out of range", func(a []SurveyAnswerItem) []SurveyAnswerItem { a[0].Score = 6; return a }, "answers[0].score"},
		{"unknown option", func(a []SurveyAnswerItem) []SurveyAnswerItem {
			return append(a, SurveyAnswerItem{QuestionID: "contact", Choice: "传真"})
		}, "answers[5].choice"},
		{"unknown question", func(a []SurveyAnswerItem) []SurveyAnswerItem {
			return append(a, SurveyAnswerItem{QuestionID: "x", Score: 1})
		}, "answers[5].question_id"},
		{"twice", func(a []SurveyAnswerItem) []SurveyAnswerItem { return append(a, a[0]) }, "answers[5].question_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fieldOf(q.CheckAnswers(tc.edit(full()))); got != tc.field {
				t.Fatalf("field %q, want %q", got, tc.field)
			}
		})
	}
}

func TestLowAnswers(t *testing.T) {
	q := DefaultQuestionnaire()
	for _, tc := range []struct {
		name      string
		threshold int
		opens     LowScoreAction
		items     []SurveyAnswerItem
		want      LowAnswer
		low       bool
	}{
		{"none low", 2, LowOpensVisit, []SurveyAnswerItem{{QuestionID: "repair", Score: 3}}, LowAnswer{}, false},
		{"one low opens a visit", 2, LowOpensVisit, []SurveyAnswerItem{{QuestionID: "repair", Score: 2}, {QuestionID: "cleaning", Score: 4}},
			LowAnswer{QuestionIDs: []string{"repair"}, Areas: []ServiceArea{AreaRepair}, Lowest: 2, Opens: LowOpensVisit}, true},
		{"two low, one complaint", 2, LowOpensComplaint, []SurveyAnswerItem{{QuestionID: "repair", Score: 1}, {QuestionID: "service", Score: 2}},
			LowAnswer{QuestionIDs: []string{"repair", "service"}, Areas: []ServiceArea{AreaRepair, AreaCustomerService}, Lowest: 1, Opens: LowOpensComplaint}, true},
		{"threshold 0 never low", 0, LowOpensComplaint, []SurveyAnswerItem{{QuestionID: "repair", Score: 1}}, LowAnswer{}, false},
		{"text never low", 2, LowOpensVisit, []SurveyAnswerItem{{QuestionID: "advice", Text: "差"}}, LowAnswer{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultSurveyPolicy()
			p.LowScoreThreshold, p.LowScoreOpens = tc.threshold, tc.opens
			got, low := LowAnswers(p, q, tc.items)
			if low != tc.low || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v %v, want %+v %v", got, low, tc.want, tc.low)
			}
		})
	}
}

func TestAggregateSurvey(t *testing.T) {
	q := DefaultQuestionnaire()
	invited := []SampleUnit{{1, "1栋"}, {2, "1栋"}, {3, "2栋"}, {4, "2栋"}}
	resp := func(h uint64, b string, repair, service int, choice string) SurveyResponse {
		items := []SurveyAnswerItem{{QuestionID: "repair", Score: repair}, {QuestionID: "service", Score: service}}
		if choice != "" {
			items = append(items, SurveyAnswerItem{QuestionID: "contact", Choice: choice})
		}
		return SurveyResponse{ID: h, HouseholdID: h, Building: b, Items: items}
	}
	r := AggregateSurvey(DefaultSurveyPolicy(), q, invited, []SurveyResponse{
		resp(1, "1栋", 5, 4, "微信"), resp(2, "1栋", 2, 5, "电话"), resp(3, "2栋", 4, 4, "微信"),
	})
	if r.Invited != 4 || r.Responses != 3 || r.RatePercent != 75 || r.LowResponses != 1 {
		t.Fatalf("totals %+v", r)
	}
	if r.Overall.Count != 6 || r.Overall.Mean != 4 {
		t.Fatalf("overall %+v", r.Overall)
	}
	repair := r.Questions[0]
	if repair.Scores.Count != 3 || repair.Scores.Mean != 3.67 || repair.Scores.Distribution != [5]int{0, 1, 0, 1, 1} {
		t.Fatalf("repair %+v", repair.Scores)
	}
	if c := r.Questions[5].Choices; c["微信"] != 2 || c["电话"] != 1 || c["前台"] != 0 {
		t.Fatalf("choices %v", c)
	}
	want := []GroupResult{{Key: "1栋", Invited: 2, Responses: 2}, {Key: "2栋", Invited: 2, Responses: 1}}
	for i, g := range r.Buildings {
		if g.Key != want[i].Key || g.Invited != want[i].Invited || g.Responses != want[i].Responses {
			t.Fatalf("building %d %+v, want %+v", i, g, want[i])
		}
	}
	if r.Buildings[0].Scores.Mean != 4 || r.Buildings[1].Scores.Mean != 4 {
		t.Fatalf("building means %+v", r.Buildings)
	}
	if len(r.Areas) != 2 || r.Areas[0].Key != "repair" || r.Areas[1].Key != "customer_service" || r.Areas[1].Scores.Mean != 4.33 {
		t.Fatalf("areas %+v", r.Areas)
	}
}

func TestStaffPerformances(t *testing.T) {
	five, two, four := 5, 2, 4
	staff := []PerfStaff{{ID: 1, Name: "王师傅", Role: RoleTechnician}, {ID: 2, Name: "李客服", Role: RoleCustomerService}, {ID: 3, Name: "财务", Role: RoleFinance}}
	tickets := []PerfTicket{
		{TicketID: 10, AssigneeID: 1, Counted: 3, Met: 3, Score: &five},
		{TicketID: 11, AssigneeID: 1, Counted: 3, Met: 2, Score: &two, Reopens: 1},
		{TicketID: 12, AssigneeID: 1, Counted: 0},
		{TicketID: 13, AssigneeID: 2, Counted: 2, Met: 2, Score: &four},
	}
	scores := []PerfSurveyScore{{ResponseID: 100, Area: AreaRepair, Score: 4}, {ResponseID: 101, Area: AreaRepair, Score: 3},
		{ResponseID: 100, Area: AreaCustomerService, Score: 5}}
	got := StaffPerformances(DefaultSurveyPolicy(), staff, tickets, scores)
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	for _, tc := range []struct {
		row                              int
		tickets                          int
		sla, rv, survey, reopen          string
		slaIDs, missed, rvIDs, surveyIDs []uint64
		reopenIDs                        []uint64
	}{
		{0, 3, "66.7", "3.5", "3.5", "33.3", []uint64{10, 12}, []uint64{11}, []uint64{10, 11}, []uint64{100, 101}, []uint64{11}},
		{1, 1, "100", "4", "5", "0", []uint64{13}, []uint64{}, []uint64{13}, []uint64{100}, []uint64{}},
		{2, 0, "-", "-", "-", "-", []uint64{}, []uint64{}, []uint64{}, []uint64{}, []uint64{}},
	} {
		r := got[tc.row]
		if r.Tickets != tc.tickets || f(r.SLAMet.Value) != tc.sla || f(r.ReturnVisit.Value) != tc.rv ||
			f(r.Survey.Value) != tc.survey || f(r.Reopen.Value) != tc.reopen {
			t.Fatalf("row %d: tickets %d sla %s rv %s survey %s reopen %s", tc.row, r.Tickets, f(r.SLAMet.Value),
				f(r.ReturnVisit.Value), f(r.Survey.Value), f(r.Reopen.Value))
		}
		if !reflect.DeepEqual(r.SLAMet.IDs, tc.slaIDs) || !reflect.DeepEqual(r.SLAMissed, tc.missed) ||
			!reflect.DeepEqual(r.ReturnVisit.IDs, tc.rvIDs) || !reflect.DeepEqual(r.Survey.IDs, tc.surveyIDs) ||
			!reflect.DeepEqual(r.Reopen.IDs, tc.reopenIDs) {
			t.Fatalf("row %d ids: %+v", tc.row, r)
		}
	}
}

func TestSurveyPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*SurveyPolicy)
		field string
	}{
		{"default", func(*SurveyPolicy) {}, ""},
		{"zero means defaults", func(p *SurveyPolicy) { *p = SurveyPolicy{} }, ""},
		{"max below min", func(p *SurveyPolicy) { p.MaxOpen = Duration(Day) }, "survey.max_open"},
		{"reminder past min open", func(p *SurveyPolicy) { p.Reminders = []Duration{Duration(8 * Day)} }, "survey.reminders[0]"},
		{"send hours", func(p *SurveyPolicy) { p.SendUntil = "09:30" }, "survey.send_until"},
		{"bad clock", func(p *SurveyPolicy) { p.SendFrom = "9点" }, "survey.send_from"},
		{"threshold", func(p *SurveyPolicy) { p.LowScoreThreshold = 5 }, "survey.low_score_threshold"},
		{"opens", func(p *SurveyPolicy) { p.LowScoreOpens = "email" }, "survey.low_score_opens"},
		{"batch", func(p *SurveyPolicy) { p.InviteBatch = 0 }, "survey.invite_batch"},
		{"staff area", func(p *SurveyPolicy) { p.StaffAreas[0].Area = "x" }, "survey.staff_areas[0].area"},
		{"role twice", func(p *SurveyPolicy) { p.StaffAreas[1].Role = RoleTechnician }, "survey.staff_areas[1].role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			tc.edit(&p.Survey)
			if got := fieldOf(p.Validate()); got != tc.field {
				t.Fatalf("field %q, want %q", got, tc.field)
			}
		})
	}
	if (Policy{}).Surveys().MaxOpen != DefaultSurveyPolicy().MaxOpen {
		t.Fatal("a policy without surveys does not read the defaults")
	}
}
