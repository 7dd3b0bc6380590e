package models

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// KindSurvey is a satisfaction survey campaign (满意度调查): one estate, one
// quarter.
const KindSurvey CaseKind = "survey"

// ServiceArea is the part of the service a question asks about (服务领域).
type ServiceArea string

// The service areas.
const (
	AreaRepair          ServiceArea = "repair"           // 维修
	AreaCleaning        ServiceArea = "cleaning"         // 保洁
	AreaSecurity        ServiceArea = "security"         // 安保
	AreaGreening        ServiceArea = "greening"         // 绿化
	AreaCustomerService ServiceArea = "customer_service" // 客服
)

var serviceAreas = enum[ServiceArea]{AreaRepair, AreaCleaning, AreaSecurity, AreaGreening, AreaCustomerService}

// ServiceAreas lists every area, in order.
func ServiceAreas() []ServiceArea { return serviceAreas.list() }

// Valid reports whether a is a known area.
func (a ServiceArea) Valid() bool { return serviceAreas.has(a) }

// Label is the area's Chinese name.
func (a ServiceArea) Label() string {
	return label(map[ServiceArea]string{AreaRepair: "维修", AreaCleaning: "保洁", AreaSecurity: "安保",
		AreaGreening: "绿化", AreaCustomerService: "客服"}, a)
}

// QuestionType is how a question is answered.
type QuestionType string

// The question types.
const (
	QuestionScore  QuestionType = "score"  // 1..5
	QuestionChoice QuestionType = "choice" // one of Options
	QuestionText   QuestionType = "text"   // free text
)

var questionTypes = enum[QuestionType]{QuestionScore, QuestionChoice, QuestionText}

// Questionnaire bounds.
const (
	MaxSurveyQuestions = 30
	MaxQuestionText    = 200
	MaxChoiceOptions   = 10
	MaxAnswerText      = 1000
	MinScore, MaxScore = 1, 5
)

// SurveyQuestion is one question of a questionnaire (问卷), kept as data.
type SurveyQuestion struct {
	// ID names the question within its questionnaire ("q1").
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Text     string       `json:"text"`
	Area     ServiceArea  `json:"area"`
	Options  []string     `json:"options,omitempty"`
	Required bool         `json:"required"`
}

// Questionnaire is the questions of a campaign, in order.
type Questionnaire struct {
	Questions []SurveyQuestion `json:"questions"`
}

// Validate reports the first problem of q, its field a JSON path under
// "questionnaire".
func (q Questionnaire) Validate() error {
	if len(q.Questions) == 0 || len(q.Questions) > MaxSurveyQuestions {
		return Invalid("questionnaire.questions", "共 %d 道题，应为 1 至 %d 道", len(q.Questions), MaxSurveyQuestions)
	}
	seen := map[string]bool{}
	for i, x := range q.Questions {
		p := fmt.Sprintf("questionnaire.questions[%d]", i)
		switch {
		case x.ID == "" || len(x.ID) > 16:
			return Invalid(p+".id", "应为 1 至 16 个字符")
		case seen[x.ID]:
			return Invalid(p+".id", "“%s”重复", x.ID)
		case !questionTypes.has(x.Type):
			return questionTypes.check(p+".type", x.Type)
		case strings.TrimSpace(x.Text) == "" || utf8.RuneCountInString(x.Text) > MaxQuestionText:
			return Invalid(p+".text", "应为 1 至 %d 个字", MaxQuestionText)
		case !x.Area.Valid():
			return serviceAreas.check(p+".area", x.Area)
		case x.Type == QuestionChoice && (len(x.Options) < 2 || len(x.Options) > MaxChoiceOptions):
			return Invalid(p+".options", "共 %d 个选项，应为 2 至 %d 个", len(x.Options), MaxChoiceOptions)
		case x.Type != QuestionChoice && len(x.Options) > 0:
			return Invalid(p+".options", "只有选择题可以设选项")
		}
		for j, o := range x.Options {
			if strings.TrimSpace(o) == "" || utf8.RuneCountInString(o) > 50 {
				return Invalid(fmt.Sprintf("%s.options[%d]", p, j), "应为 1 至 50 个字")
			}
		}
		seen[x.ID] = true
	}
	return nil
}

// DefaultQuestionnaire is the quarterly questionnaire a campaign gets when
// it names none: one score per service area, a choice and a free text.
func DefaultQuestionnaire() Questionnaire {
	return Questionnaire{Questions: []SurveyQuestion{
		{ID: "repair", Type: QuestionScore, Text: "您对维修服务（响应速度、维修质量）是否满意？", Area: AreaRepair, Required: true},
		{ID: "cleaning", Type: QuestionScore, Text: "您对公共区域保洁是否满意？", Area: AreaCleaning, Required: true},
		{ID: "security", Type: QuestionScore, Text: "您对小区安保（门岗、巡逻、车辆管理）是否满意？", Area: AreaSecurity, Required: true},
		{ID: "greening", Type: QuestionScore, Text: "您对绿化养护是否满意？", Area: AreaGreening, Required: true},
		{ID: "service", Type: QuestionScore, Text: "您对客服人员的服务态度是否满意？", Area: AreaCustomerService, Required: true},
		{ID: "contact", Type: QuestionChoice, Text: "您最常用的联系物业方式是？", Area: AreaCustomerService,
			Options: []string{"电话", "微信", "前台", "APP"}},
		{ID: "advice", Type: QuestionText, Text: "您对物业服务还有什么意见或建议？", Area: AreaCustomerService},
	}}
}

// SurveyAnswerItem answers one question: Score for a score question, Choice
// (an option's text) for a choice, Text for free text.
type SurveyAnswerItem struct {
	QuestionID string `json:"question_id"`
	Score      int    `json:"score,omitempty"`
	Choice     string `json:"choice,omitempty"`
	Text       string `json:"text,omitempty"`
}

// CheckAnswers validates a household's answers to q: every required
// question answered, each answer of its question's type, no question twice
// or unknown. The field is a JSON path under "answers".
func (q Questionnaire) CheckAnswers(items []SurveyAnswerItem) error {
	byID := map[string]SurveyQuestion{}
	for _, x := range q.Questions {
		byID[x.ID] = x
	}
	got := map[string]bool{}
	for i, a := range items {
		p := fmt.Sprintf("answers[%d]", i)
		x, ok := byID[a.QuestionID]
		switch {
		case !ok:
			return Invalid(p+".question_id", "没有题目“%s”", a.QuestionID)
		case got[a.QuestionID]:
			return Invalid(p+".question_id", "题目“%s”重复作答", a.QuestionID)
		}
		got[a.QuestionID] = true
		switch x.Type {
		case QuestionScore:
			if a.Score < MinScore || a.Score > MaxScore || a.Choice != "" || a.Text != "" {
				return Invalid(p+".score", "%d 无效，应为 %d 至 %d", a.Score, MinScore, MaxScore)
			}
		case QuestionChoice:
			if !slices.Contains(x.Options, a.Choice) || a.Score != 0 || a.Text != "" {
				return Invalid(p+".choice", "“%s”无效，应为以下之一：%s", a.Choice, strings.Join(x.Options, "、"))
			}
		case QuestionText:
			if utf8.RuneCountInString(a.Text) > MaxAnswerText || a.Score != 0 || a.Choice != "" {
				return Invalid(p+".text", "不能超过 %d 个字", MaxAnswerText)
			}
		}
	}
	for _, x := range q.Questions {
		if x.Required && !got[x.ID] {
			return Invalid("answers", "题目“%s”为必答题", x.ID)
		}
	}
	return nil
}

// SampleMode says which households a campaign asks.
type SampleMode string

// The sample modes.
const (
	SampleAll        SampleMode = "all"        // every household
	SampleStratified SampleMode = "stratified" // a share of each building
)

var sampleModes = enum[SampleMode]{SampleAll, SampleStratified}

// SurveySample is how a campaign picks its households.
type SurveySample struct {
	Mode SampleMode `json:"mode"`
	// RatePercent is the share of each building's households asked
	// (stratified only, 1..100), rounded up; at least MinPerBuilding.
	RatePercent    int `json:"rate_percent,omitempty"`
	MinPerBuilding int `json:"min_per_building,omitempty"`
}

// Validate checks the sample's fields under "sample".
func (s SurveySample) Validate() error {
	if err := sampleModes.check("sample.mode", s.Mode); err != nil {
		return err
	}
	if s.Mode == SampleAll {
		if s.RatePercent != 0 || s.MinPerBuilding != 0 {
			return Invalid("sample.rate_percent", "只有分层抽样可以设抽样比例")
		}
		return nil
	}
	if err := intIn("sample.rate_percent", s.RatePercent, 1, 100); err != nil {
		return err
	}
	return intIn("sample.min_per_building", s.MinPerBuilding, 0, 1000)
}

// SampleUnit is a household a campaign may ask, with its building (the
// stratum).
type SampleUnit struct {
	HouseholdID uint64 `json:"household_id"`
	Building    string `json:"building"`
}

// DrawSample picks the households of campaign campaignID from units: all of
// them, or per building the ceiling of RatePercent of its households (at
// least MinPerBuilding, at most all), chosen by a hash of the campaign ID
// and the household ID, so that the same campaign over the same households
// always draws the same sample. The result is ordered by household ID.
func DrawSample(campaignID uint64, s SurveySample, units []SampleUnit) []SampleUnit {
	out := []SampleUnit{}
	if s.Mode != SampleStratified {
		out = append(out, units...)
	} else {
		byBuilding := map[string][]SampleUnit{}
		var buildings []string
		for _, u := range units {
			if _, ok := byBuilding[u.Building]; !ok {
				buildings = append(buildings, u.Building)
			}
			byBuilding[u.Building] = append(byBuilding[u.Building], u)
		}
		for _, b := range buildings {
			us := byBuilding[b]
			n := min(max((len(us)*s.RatePercent+99)/100, s.MinPerBuilding), len(us))
			slices.SortFunc(us, func(x, y SampleUnit) int {
				hx, hy := sampleHash(campaignID, x.HouseholdID), sampleHash(campaignID, y.HouseholdID)
				switch {
				case hx < hy:
					return -1
				case hx > hy:
					return 1
				}
				return cmpID(x.HouseholdID, y.HouseholdID)
			})
			out = append(out, us[:n]...)
		}
	}
	slices.SortFunc(out, func(x, y SampleUnit) int { return cmpID(x.HouseholdID, y.HouseholdID) })
	return out
}

func sampleHash(campaignID, householdID uint64) uint64 {
	h := fnv.New64a()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], campaignID)
	binary.BigEndian.PutUint64(b[8:], householdID)
	_, _ = h.Write(b[:])
	return h.Sum64()
}

func cmpID(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Quarter is a calendar quarter, "2026Q4".
type Quarter struct {
	Year int
	Q    int // 1..4
}

// ParseQuarter reads "YYYYQn".
func ParseQuarter(field, s string) (Quarter, error) {
	if len(s) != 6 || (s[4] != 'Q' && s[4] != 'q') {
		return Quarter{}, Invalid(field, "“%s”无效，应为季度，如 2026Q4", s)
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < MinCalendarYear || y > MaxCalendarYear || s[5] < '1' || s[5] > '4' {
		return Quarter{}, Invalid(field, "“%s”无效，应为季度，如 2026Q4", s)
	}
	return Quarter{Year: y, Q: int(s[5] - '0')}, nil
}

// String is "2026Q4".
func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Span is the quarter's first instant and the next quarter's, in loc.
func (q Quarter) Span(loc *time.Location) (from, to time.Time) {
	from = time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, 0)
}

// SurveyCampaignSpec is what a manager gives to start a campaign.
type SurveyCampaignSpec struct {
	Quarter       string        `json:"quarter"`
	Title         string        `json:"title"`
	Questionnaire Questionnaire `json:"questionnaire"`
	Sample        SurveySample  `json:"sample"`
	OpensAt       time.Time     `json:"opens_at"`
	ClosesAt      time.Time     `json:"closes_at"`
	// Reminders are counted from the opening; empty means the policy's.
	Reminders []Duration `json:"reminders"`
}

// Check validates a campaign about to be created at now under policy p:
// the quarter; the opening not in the past (a minute's slack) and inside
// the quarter; the closing after the opening by p's MinOpen..MaxOpen and
// no later than p's CloseGrace after the quarter's end; the
// questionnaire, the sample and the reminders (each inside the campaign).
// An empty questionnaire becomes the default, an empty sample all
// households, empty reminders the policy's.
func (c *SurveyCampaignSpec) Check(p SurveyPolicy, now time.Time, loc *time.Location) (Quarter, error) {
	q, err := ParseQuarter("quarter", c.Quarter)
	if err != nil {
		return q, err
	}
	if c.Title = strings.TrimSpace(c.Title); c.Title == "" {
		c.Title = q.String() + " 满意度调查"
	}
	if utf8.RuneCountInString(c.Title) > 100 {
		return q, Invalid("title", "不能超过 100 个字")
	}
	from, to := q.Span(loc)
	if c.OpensAt.IsZero() {
		c.OpensAt = now
	}
	switch {
	case c.OpensAt.Before(now.Add(-time.Minute)):
		return q, Invalid("opens_at", "%s 已过去，应为现在或以后的时间", c.OpensAt.Format(time.RFC3339))
	case c.OpensAt.Before(from) || !c.OpensAt.Before(to):
		return q, Invalid("opens_at", "%s 无效，应在 %s 内（%s 至 %s）", c.OpensAt.Format(time.RFC3339), q,
			from.Format("2006-01-02"), to.Add(-time.Second).Format("2006-01-02"))
	case c.ClosesAt.Sub(c.OpensAt) < p.MinOpen.Std() || c.ClosesAt.Sub(c.OpensAt) > p.MaxOpen.Std():
		return q, Invalid("closes_at", "%s 无效，应在开始后 %s 至 %s 之间", c.ClosesAt.Format(time.RFC3339), p.MinOpen, p.MaxOpen)
	case c.ClosesAt.After(to.Add(p.CloseGrace.Std())):
		return q, Invalid("closes_at", "%s 无效，不能晚于 %s（季度结束后 %s）", c.ClosesAt.Format(time.RFC3339),
			to.Add(p.CloseGrace.Std()).Format(time.RFC3339), p.CloseGrace)
	}
	if len(c.Questionnaire.Questions) == 0 {
		c.Questionnaire = DefaultQuestionnaire()
	}
	if err := c.Questionnaire.Validate(); err != nil {
		return q, err
	}
	if c.Sample.Mode == "" {
		c.Sample.Mode = SampleAll
	}
	if err := c.Sample.Validate(); err != nil {
		return q, err
	}
	if len(c.Reminders) == 0 {
		c.Reminders = slices.Clone(p.Reminders)
	}
	open := Duration(c.ClosesAt.Sub(c.OpensAt))
	for i, r := range c.Reminders {
		rp := fmt.Sprintf("reminders[%d]", i)
		if r <= 0 || r >= open {
			return q, Invalid(rp, "%s 无效，应在开始之后、截止（%s）之前", r, open)
		}
		if i > 0 && r <= c.Reminders[i-1] {
			return q, Invalid(rp, "%s 无效，应大于上一次提醒的 %s", r, c.Reminders[i-1])
		}
	}
	if len(c.Reminders) > 10 {
		return q, Invalid("reminders", "共 %d 次，最多 10 次", len(c.Reminders))
	}
	return q, nil
}

// ReminderTimes are the moments a campaign opening at opens and closing at
// closes reminds its non-respondents: each offset after the opening, moved
// into the sending hours of p (the next start when outside them), in loc;
// a time not before the closing, or equal to the one before, is dropped.
func ReminderTimes(p SurveyPolicy, opens, closes time.Time, offsets []Duration, loc *time.Location) []time.Time {
	out := []time.Time{}
	for _, o := range offsets {
		at := p.InSendingHours(opens.Add(o.Std()), loc)
		if !at.Before(closes) || (len(out) > 0 && !at.After(out[len(out)-1])) {
			continue
		}
		out = append(out, at)
	}
	return out
}

// InSendingHours is t, or the start of the next sending hours when t lies
// outside them (in loc).
func (p SurveyPolicy) InSendingHours(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	start, end := mustClock(p.SendFrom), mustClock(p.SendUntil)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	clock := t.Sub(day)
	switch {
	case clock < start:
		return day.Add(start)
	case clock >= end:
		next := day.AddDate(0, 0, 1)
		return next.Add(start)
	}
	return t
}

// SurveyStatus is the stage of a campaign.
type SurveyStatus string

// The campaign statuses.
const (
	SurveyScheduled SurveyStatus = "scheduled" // created, not yet open
	SurveyOpen      SurveyStatus = "open"      // invitations sent, answers taken
	SurveyClosed    SurveyStatus = "closed"    // past its closing, results final
	SurveyCancelled SurveyStatus = "cancelled" // stopped before opening
)

var surveyStatuses = enum[SurveyStatus]{SurveyScheduled, SurveyOpen, SurveyClosed, SurveyCancelled}

// SurveyStatuses lists every status.
func SurveyStatuses() []SurveyStatus { return surveyStatuses.list() }

// Valid reports whether s is a known status.
func (s SurveyStatus) Valid() bool { return surveyStatuses.has(s) }

// Terminal reports whether a campaign in s is finished.
func (s SurveyStatus) Terminal() bool { return s == SurveyClosed || s == SurveyCancelled }

// LowScoreAction is what a low answer opens.
type LowScoreAction string

// The low-score actions.
const (
	LowOpensComplaint LowScoreAction = "complaint" // a complaint ticket (投诉工单)
	LowOpensVisit     LowScoreAction = "visit"     // a call-back visit (回访) on the campaign's list
	LowOpensNothing   LowScoreAction = "none"      // counted only
)

var lowScoreActions = enum[LowScoreAction]{LowOpensComplaint, LowOpensVisit, LowOpensNothing}

// SurveyCallback is a household to visit again about its low answers.
type SurveyCallback struct {
	ResponseID  uint64     `json:"response_id"`
	HouseholdID uint64     `json:"household_id"`
	QuestionIDs []string   `json:"question_ids"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
	DoneBy      uint64     `json:"done_by,omitempty"`
	Note        string     `json:"note,omitempty"`
}

// SurveyProgress is what a campaign's process rewrites at each transition.
type SurveyProgress struct {
	Status    SurveyStatus `gorm:"size:16;not null;index" json:"status"`
	Invited   int          `gorm:"not null;default:0" json:"invited"`
	Responded int          `gorm:"not null;default:0" json:"responded"`
	Reminders int          `gorm:"not null;default:0" json:"reminders_sent"`
	// TicketIDs are the complaint tickets low answers opened.
	TicketIDs []uint64         `gorm:"serializer:json;type:text" json:"ticket_ids"`
	Callbacks []SurveyCallback `gorm:"serializer:json;type:text" json:"callbacks"`
	NextAt    *time.Time       `json:"next_at"`
	ClosedAt  *time.Time       `json:"closed_at"`
	Reason    string           `gorm:"size:200" json:"reason,omitempty"`
	Revision  int64            `gorm:"not null;default:0" json:"revision"`
}

// SurveyCampaign is the read model of one campaign.
type SurveyCampaign struct {
	ID       uint64 `gorm:"primaryKey" json:"id"`
	EstateID uint64 `gorm:"not null;uniqueIndex:idx_survey_estate_quarter,priority:1" json:"estate_id"`
	// HouseholdID is always nil: a campaign is the estate's (the case
	// journal reads it of every kind).
	HouseholdID   *uint64       `json:"-"`
	Quarter       string        `gorm:"size:6;not null;uniqueIndex:idx_survey_estate_quarter,priority:2" json:"quarter"`
	Title         string        `gorm:"size:100;not null" json:"title"`
	Questionnaire Questionnaire `gorm:"serializer:json;type:text" json:"questionnaire"`
	Sample        SurveySample  `gorm:"serializer:json;type:text" json:"sample"`
	OpensAt       time.Time     `gorm:"not null" json:"opens_at"`
	ClosesAt      time.Time     `gorm:"not null" json:"closes_at"`
	Reminders     []Duration    `gorm:"serializer:json;type:text" json:"reminders"`
	CreatedBy     uint64        `gorm:"not null" json:"created_by"`
	SurveyProgress
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SurveyInvitation is one household asked by a campaign: the resident the
// link went to, and its response once given (answering once).
type SurveyInvitation struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	CampaignID  uint64     `gorm:"not null;uniqueIndex:idx_survey_invite,priority:1" json:"campaign_id"`
	HouseholdID uint64     `gorm:"not null;uniqueIndex:idx_survey_invite,priority:2" json:"household_id"`
	Building    string     `gorm:"size:20;not null" json:"building"`
	ResidentID  uint64     `gorm:"not null;default:0" json:"resident_id"`
	LinkID      uint64     `gorm:"not null;default:0" json:"link_id"`
	InvitedAt   *time.Time `json:"invited_at"`
	RemindedAt  *time.Time `json:"reminded_at"`
	Reminders   int        `gorm:"not null;default:0" json:"reminders"`
	CreatedAt   time.Time  `json:"created_at"`
}

// SurveyResponse is a household's answers to a campaign: one per
// invitation.
type SurveyResponse struct {
	ID          uint64             `gorm:"primaryKey" json:"id"`
	CampaignID  uint64             `gorm:"not null;uniqueIndex:idx_survey_response,priority:1" json:"campaign_id"`
	EstateID    uint64             `gorm:"not null;index:idx_survey_response_estate_at,priority:1" json:"estate_id"`
	HouseholdID uint64             `gorm:"not null;uniqueIndex:idx_survey_response,priority:2" json:"household_id"`
	Building    string             `gorm:"size:20;not null" json:"building"`
	ResidentID  uint64             `gorm:"not null;default:0" json:"resident_id"`
	Items       []SurveyAnswerItem `gorm:"serializer:json;type:text" json:"items"`
	AnsweredAt  time.Time          `gorm:"not null;index:idx_survey_response_estate_at,priority:2" json:"answered_at"`
}

// LowAnswer is what one response's low scores call for: the questions
// scored at or below the threshold and what the policy opens for them.
type LowAnswer struct {
	QuestionIDs []string       `json:"question_ids"`
	Areas       []ServiceArea  `json:"areas"`
	Lowest      int            `json:"lowest"`
	Opens       LowScoreAction `json:"opens"`
}

// LowAnswers reports whether response items of questionnaire q hold a
// score at or below p's threshold, and what it opens: one action per
// response, naming every low question.
func LowAnswers(p SurveyPolicy, q Questionnaire, items []SurveyAnswerItem) (LowAnswer, bool) {
	area := map[string]ServiceArea{}
	for _, x := range q.Questions {
		if x.Type == QuestionScore {
			area[x.ID] = x.Area
		}
	}
	low := LowAnswer{Lowest: MaxScore + 1, Opens: p.LowScoreOpens}
	for _, it := range items {
		a, ok := area[it.QuestionID]
		if !ok || it.Score == 0 || it.Score > p.LowScoreThreshold {
			continue
		}
		low.QuestionIDs = append(low.QuestionIDs, it.QuestionID)
		if !slices.Contains(low.Areas, a) {
			low.Areas = append(low.Areas, a)
		}
		low.Lowest = min(low.Lowest, it.Score)
	}
	if len(low.QuestionIDs) == 0 {
		return LowAnswer{}, false
	}
	return low, true
}

// ScoreStats sums up scores: how many, their mean (two decimals) and how
// many of each score 1..5.
type ScoreStats struct {
	Count        int     `json:"count"`
	Mean         float64 `json:"mean"`
	Distribution [5]int  `json:"distribution"`
	sum          int
}

func (s *ScoreStats) add(score int) {
	s.Count++
	s.sum += score
	s.Distribution[score-1]++
	s.Mean = math.Round(float64(s.sum)*100/float64(s.Count)) / 100
}

// QuestionResult is one question's answers.
type QuestionResult struct {
	QuestionID string         `json:"question_id"`
	Type       QuestionType   `json:"type"`
	Area       ServiceArea    `json:"area"`
	Scores     ScoreStats     `json:"scores"`
	Choices    map[string]int `json:"choices,omitempty"`
	Texts      int            `json:"texts,omitempty"`
}

// GroupResult is the scores of one building or one service area.
type GroupResult struct {
	Key       string     `json:"key"`
	Invited   int        `json:"invited,omitempty"`
	Responses int        `json:"responses"`
	Scores    ScoreStats `json:"scores"`
}

// SurveyResults are a campaign's results (调查结果).
type SurveyResults struct {
	Invited      int              `json:"invited"`
	Responses    int              `json:"responses"`
	RatePercent  float64          `json:"response_rate_percent"`
	Overall      ScoreStats       `json:"overall"`
	Questions    []QuestionResult `json:"questions"`
	Buildings    []GroupResult    `json:"buildings"`
	Areas        []GroupResult    `json:"areas"`
	LowResponses int              `json:"low_responses"`
}

// AggregateSurvey sums up the responses to questionnaire q of a campaign
// that invited the households of invited: by question, building (in
// order of their names) and service area (in the areas' order); a
// response is low when LowAnswers says so under p.
func AggregateSurvey(p SurveyPolicy, q Questionnaire, invited []SampleUnit, responses []SurveyResponse) SurveyResults {
	r := SurveyResults{Invited: len(invited), Responses: len(responses), Questions: []QuestionResult{},
		Buildings: []GroupResult{}, Areas: []GroupResult{}}
	if r.Invited > 0 {
		r.RatePercent = math.Round(float64(r.Responses)*1000/float64(r.Invited)) / 10
	}
	qi := map[string]int{}
	for i, x := range q.Questions {
		qi[x.ID] = i
		qr := QuestionResult{QuestionID: x.ID, Type: x.Type, Area: x.Area}
		if x.Type == QuestionChoice {
			qr.Choices = map[string]int{}
			for _, o := range x.Options {
				qr.Choices[o] = 0
			}
		}
		r.Questions = append(r.Questions, qr)
	}
	buildings := map[string]*GroupResult{}
	building := func(b string) *GroupResult {
		if g, ok := buildings[b]; ok {
			return g
		}
		g := &GroupResult{Key: b}
		buildings[b] = g
		return g
	}
	for _, u := range invited {
		building(u.Building).Invited++
	}
	areas := map[ServiceArea]*GroupResult{}
	for _, resp := range responses {
		bg := building(resp.Building)
		bg.Responses++
		seenArea := map[ServiceArea]bool{}
		for _, it := range resp.Items {
			i, ok := qi[it.QuestionID]
			if !ok {
				continue
			}
			qr := &r.Questions[i]
			switch qr.Type {
			case QuestionScore:
				if it.Score < MinScore || it.Score > MaxScore {
					continue
				}
				qr.Scores.add(it.Score)
				r.Overall.add(it.Score)
				bg.Scores.add(it.Score)
				ag, ok := areas[qr.Area]
				if !ok {
					ag = &GroupResult{Key: string(qr.Area)}
					areas[qr.Area] = ag
				}
				ag.Scores.add(it.Score)
				if !seenArea[qr.Area] {
					ag.Responses++
					seenArea[qr.Area] = true
				}
			case QuestionChoice:
				if _, ok := qr.Choices[it.Choice]; ok {
					qr.Choices[it.Choice]++
				}
			case QuestionText:
				if strings.TrimSpace(it.Text) != "" {
					qr.Texts++
				}
			}
		}
		if _, low := LowAnswers(p, q, resp.Items); low {
			r.LowResponses++
		}
	}
	names := make([]string, 0, len(buildings))
	for b := range buildings {
		names = append(names, b)
	}
	slices.Sort(names)
	for _, b := range names {
		r.Buildings = append(r.Buildings, *buildings[b])
	}
	for _, a := range serviceAreas {
		if g, ok := areas[a]; ok {
			r.Areas = append(r.Areas, *g)
		}
	}
	return r
}
