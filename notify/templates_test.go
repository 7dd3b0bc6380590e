package notify_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// with is base and the pairs kv on top of it.
func with(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// threats are words no message to a resident may carry: reminders about
// fees stay polite, whatever the ladder step.
var threats = []string{"起诉", "诉讼", "断水", "断电", "停水", "停电", "法院", "曝光", "律师", "黑名单", "征信", "后果", "追究", "强制"}

// outageWords are the threats an outage notice (停水停电通知) must name:
// its texts are about the outage, never about fees.
var outageWords = []string{"停水", "停电"}

func TestRenderEveryTemplate(t *testing.T) {
	ticket := map[string]string{"ticket_no": "T-20261123-012"}
	complaint := with(ticket, "estate", "阳光花园")
	bill := map[string]string{"estate": "阳光花园", "period": "2026年12月", "amount": "1,280.00", "due_date": "12月10日", "service_phone": "0571-88886666"}
	tests := []struct {
		give     string
		params   map[string]string
		audience models.RecipientKind
		want     []string // each must appear in subject or body
	}{
		{notify.TemplateTicketReceived, with(ticket, "estate", "阳光花园", "service_phone", "0571-88886666"), models.RecipientResident,
			[]string{"您的报修已受理", "工单号T-20261123-012", "0571-88886666"}},
		{notify.TemplateTicketAssigned, with(ticket, "urgency", "critical", "location", "1栋2-502", "summary", "厨房漏水", "due", "10:15"), models.RecipientStaff,
			[]string{"新工单", "（特急）", "1栋2-502", "厨房漏水", "10:15前处理"}},
		{notify.TemplateTechnicianOnWay, with(ticket, "estate", "阳光花园", "technician", "李师傅", "eta", "10:10"), models.RecipientResident,
			[]string{"维修人员已出发", "李师傅", "预计10:10到达"}},
		{notify.TemplateTicketDoneConfirm, with(ticket, "estate", "阳光花园", "confirm_by", "11月26日09:00"), models.RecipientResident,
			[]string{"维修已完成，请确认", "11月26日09:00"}},
		{notify.TemplateTicketCompleted, with(ticket, "summary", "厨房漏水", "technician", "李师傅"), models.RecipientStaff,
			[]string{"已完工", "工单T-20261123-012（厨房漏水）已由李师傅完成", "等待业主确认"}},
		{notify.TemplateSLAWarning, with(ticket, "stage", "到场", "due", "10:15"), models.RecipientStaff,
			[]string{"即将超时", "到场时限为10:15"}},
		{notify.TemplateEscalation, with(ticket, "summary", "厨房漏水", "stage", "到场", "due", "10:15", "level", "2"), models.RecipientStaff,
			[]string{"工单T-20261123-012", "已超时，升级至您处理", "第2级"}},
		{notify.TemplateTicketClosed, with(ticket, "outcome", "业主已确认"), models.RecipientStaff,
			[]string{"已关闭", "业主已确认"}},
		{notify.TemplateReturnVisitDue, with(ticket, "due", "11月30日"), models.RecipientStaff,
			[]string{"满意度回访", "11月30日前"}},
		{notify.TemplatePaymentReminderBefore, bill, models.RecipientResident,
			[]string{"温馨提示", "1,280.00元", "将于12月10日到期", "如有疑问请联系服务中心0571-88886666"}},
		{notify.TemplatePaymentReminderDue, bill, models.RecipientResident,
			[]string{"温馨提示", "今日（12月10日）到期", "如有疑问请联系服务中心"}},
		{notify.TemplatePaymentOverduePolite, bill, models.RecipientResident,
			[]string{"温馨提示", "已于12月10日到期", "如已缴纳请忽略本提醒", "如有疑问请联系服务中心"}},
		{notify.TemplatePaymentOverdueSecond, bill, models.RecipientResident,
			[]string{"温馨提示", "再次提醒", "沟通协商", "如有疑问请联系服务中心"}},
		{notify.TemplateDunningTask, map[string]string{"location": "1栋2-502", "period": "2026年12月", "amount": "1,280.00", "days_overdue": "30", "action": "上门沟通", "due": "12月15日"}, models.RecipientStaff,
			[]string{"催缴任务", "已逾期30天", "上门沟通"}},
		{notify.TemplateLegalApprovalNeeded, map[string]string{"location": "1栋2-502", "amount": "3,840.00", "days_overdue": "180", "case_no": "C-7"}, models.RecipientStaff,
			[]string{"审批", "案件C-7", "3,840.00元"}},
		{notify.TemplateWelcome, map[string]string{"estate": "阳光花园", "location": "1栋2-502", "service_phone": "0571-88886666"}, models.RecipientResident,
			[]string{"欢迎入住", "服务中心电话0571-88886666"}},
		{notify.TemplateFollowupReminder, map[string]string{"case_no": "C-7", "topic": "噪音投诉", "due": "11月24日"}, models.RecipientStaff,
			[]string{"跟进提醒", "噪音投诉", "11月24日前跟进"}},
		{notify.TemplateFollowupOverdue, map[string]string{"case_no": "C-7", "topic": "噪音投诉", "due": "11月24日"}, models.RecipientStaff,
			[]string{"跟进已逾期", "C-7"}},
		{notify.TemplateDunningTaskOverdue, map[string]string{"task_no": "12", "location": "1栋2-502", "action": "电话沟通", "due": "12-15 18:00", "level": "1"}, models.RecipientStaff,
			[]string{"催缴任务12已逾期", "电话沟通", "第1级"}},
		{notify.TemplateLegalCaseAssigned, map[string]string{"location": "1栋2-502", "amount": "3,840.00", "case_no": "7"}, models.RecipientStaff,
			[]string{"转交法务", "3,840.00元", "案件7"}},
		{notify.TemplateComplaintReceived, with(complaint, "answer_by", "11-24 18:00", "service_phone", "0571-88886666"), models.RecipientResident,
			[]string{"投诉已受理", "您的投诉已受理，编号T-20261123-012", "11-24 18:00前给您答复", "0571-88886666"}},
		{notify.TemplateComplaintInProgress, with(complaint, "answer_by", "11-24 18:00"), models.RecipientResident,
			[]string{"投诉处理中", "专人跟进处理", "11-24 18:00前给您答复"}},
		{notify.TemplateComplaintAnswer, with(complaint, "answer", "已与施工方沟通，夜间停止施工。", "service_phone", "0571-88886666"), models.RecipientResident,
			[]string{"投诉答复", "答复如下：已与施工方沟通，夜间停止施工。"}},
		{notify.TemplateComplaintClosed, with(complaint, "confirm_by", "11-26 09:00", "service_phone", "0571-88886666"), models.RecipientResident,
			[]string{"投诉处理完毕", "拟予结案", "仍有异议，请在11-26 09:00前告诉我们", "重新处理", "致电服务中心0571-88886666"}},
		{notify.TemplateComplaintReturnVisitDue, with(ticket, "due", "11月30日"), models.RecipientStaff,
			[]string{"待回访：投诉T-20261123-012", "回访投诉人", "11月30日前"}},
		{notify.TemplateTicketHurried, with(ticket, "summary", "厨房漏水", "stage", "到场", "due", "10:15", "count", "2"), models.RecipientStaff,
			[]string{"业主催单", "工单T-20261123-012（厨房漏水）催单（第2次）", "到场时限10:15已过"}},

		{notify.TemplateOutageAnnounce, map[string]string{"estate": "阳光花园", "utility": "停水", "buildings": "1栋、2栋", "starts": "12-07 09:00",
			"ends": "12-07 13:00", "reason": "管网检修", "service_phone": "0571-88886666"}, models.RecipientResident,
			[]string{"停水通知", "因管网检修，1栋、2栋将于12-07 09:00至12-07 13:00停水"}},
		{notify.TemplateOutageReminder, map[string]string{"estate": "阳光花园", "utility": "停水", "buildings": "1栋", "starts": "09:00", "ends": "13:00"}, models.RecipientResident,
			[]string{"停水提醒", "1栋将于09:00开始停水"}},
		{notify.TemplateOutageExtended, map[string]string{"estate": "阳光花园", "utility": "停电", "buildings": "1栋", "ends": "15:00", "service_phone": "0571-88886666"}, models.RecipientResident,
			[]string{"停电延长通知", "预计延长至15:00恢复"}},
		{notify.TemplateOutageRestored, map[string]string{"estate": "阳光花园", "restored_what": "供水", "buildings": "1栋", "restored": "12:40"}, models.RecipientResident,
			[]string{"已恢复供水", "1栋已于12:40恢复供水"}},
		{notify.TemplateOutageCancelled, map[string]string{"estate": "阳光花园", "utility": "停气", "buildings": "3栋", "starts": "12-07 09:00"}, models.RecipientResident,
			[]string{"停气取消", "原定12-07 09:00起3栋的停气已取消"}},
		{notify.TemplateOutageOverdue, map[string]string{"case_no": "停运3", "utility": "停水", "buildings": "1栋", "ends": "13:00", "level": "1"}, models.RecipientStaff,
			[]string{"未按时恢复", "计划13:00恢复", "第1级"}},
		{notify.TemplateCommunityNotice, map[string]string{"estate": "阳光花园", "title": "消防演练", "body": "本周六上午十点进行消防演练。"}, models.RecipientResident,
			[]string{"公告：消防演练", "本周六上午十点进行消防演练。"}},
		{notify.TemplateInspectionDue, map[string]string{"case_no": "巡检12", "topic": "水泵月度保养 · 地下泵房", "due": "03-02 18:00"}, models.RecipientStaff,
			[]string{"巡检任务：巡检12", "请于03-02 18:00前完成"}},
		{notify.TemplateInspectionOverdue, map[string]string{"case_no": "巡检12", "topic": "水泵月度保养 · 地下泵房", "due": "03-02 18:00"}, models.RecipientStaff,
			[]string{"巡检逾期：巡检12", "已于03-02 18:00逾期未完成，升级至您处理"}},
		{notify.TemplateStatutoryDue, map[string]string{"case_no": "设备DT-01", "topic": "1栋1号电梯", "due": "2027-03-31"}, models.RecipientStaff,
			[]string{"法定检验临近：设备DT-01", "1栋1号电梯）的法定检验将于2027-03-31到期"}},
		{notify.TemplateStatutoryOverdue, map[string]string{"case_no": "设备DT-01", "topic": "1栋1号电梯", "due": "2027-03-31"}, models.RecipientStaff,
			[]string{"法定检验已逾期：设备DT-01", "不得继续使用"}},
		{notify.TemplateContractExpiring, map[string]string{"case_no": "合同HT-001", "due": "2027-02-28"}, models.RecipientStaff,
			[]string{"服务合同即将到期：合同HT-001", "物业服务合同HT-001将于2027-02-28到期", "续签或移交"}},
		{notify.TemplateContractUndecided, map[string]string{"case_no": "合同HT-001", "due": "2027-02-28"}, models.RecipientStaff,
			[]string{"服务合同到期未决：合同HT-001", "升级至您处理"}},
		{notify.TemplateSurveyInvitation, map[string]string{"estate": "阳光花园", "title": "2026年第四季度满意度调查", "closes": "10-15 20:00", "service_phone": "0571-88886666"},
			models.RecipientResident, []string{"诚邀您参加2026年第四季度满意度调查", "10-15 20:00截止"}},
		{notify.TemplateSurveyReminder, map[string]string{"estate": "阳光花园", "title": "2026年第四季度满意度调查", "closes": "10-15 20:00", "service_phone": "0571-88886666"},
			models.RecipientResident, []string{"将于10-15 20:00截止", "尚未填写"}},
	}
	var tested []string
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			tested = append(tested, tt.give)
			subject, body, err := notify.Render(tt.give, tt.params)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			text := subject + "\n" + body
			if subject == "" || body == "" || strings.Contains(text, "<no value>") {
				t.Errorf("got subject %q body %q, want both filled", subject, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("got %q, want it to contain %q", text, w)
				}
			}
			if got, ok := notify.TemplateAudience(tt.give); !ok || got != tt.audience {
				t.Errorf("audience: got %q, %v, want %q", got, ok, tt.audience)
			}
			if tt.audience == models.RecipientResident {
				for _, w := range threats {
					if strings.HasPrefix(tt.give, "outage_") && slices.Contains(outageWords, w) {
						continue
					}
					if strings.Contains(text, w) {
						t.Errorf("resident text %q contains %q", text, w)
					}
				}
				if phones := regexp.MustCompile(`1[3-9]\d{9}`).FindAllString(text, -1); len(phones) > 0 {
					t.Errorf("resident text carries mobile numbers %v", phones)
				}
			}
			// Every param is needed: leaving any one out is an error.
			for k := range tt.params {
				less := maps.Clone(tt.params)
				delete(less, k)
				if _, _, err := notify.Render(tt.give, less); err == nil {
					t.Errorf("without %q: got no error, want a missing-param error", k)
				}
			}
		})
	}
	if got := notify.TemplateNames(); !slices.Equal(got, tested) {
		t.Errorf("templates: got %v, want exactly the tested %v", got, tested)
	}
}

// TestDoneConfirmCarriesTheLink: the optional confirm_link ends the
// confirmation request when given.
func TestDoneConfirmCarriesTheLink(t *testing.T) {
	params := map[string]string{"estate": "阳光花园", "ticket_no": "12", "confirm_by": "11-26 09:00",
		"confirm_link": "https://wuye.example.com/r/confirm?t=12.1.x"}
	_, body, err := notify.Render(notify.TemplateTicketDoneConfirm, params)
	if err != nil || !strings.HasSuffix(body, "确认或反馈请点击：https://wuye.example.com/r/confirm?t=12.1.x") {
		t.Errorf("with a link: got %q, %v, want the body to end with it", body, err)
	}
}

// TestComplaintTextsSpeakOfTheComplaint: no complaint template borrows a
// repair's words, and the close carries its link when given.
func TestComplaintTextsSpeakOfTheComplaint(t *testing.T) {
	params := map[string]string{"estate": "阳光花园", "ticket_no": "12", "answer_by": "11-24 18:00", "answer": "已处理。",
		"confirm_by": "11-26 09:00", "service_phone": "0571-88886666", "due": "11-30 18:00"}
	for _, name := range []string{notify.TemplateComplaintReceived, notify.TemplateComplaintInProgress, notify.TemplateComplaintAnswer,
		notify.TemplateComplaintClosed, notify.TemplateComplaintReturnVisitDue} {
		subject, body, err := notify.Render(name, params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := subject + body
		if !strings.Contains(text, "投诉") {
			t.Errorf("%s: got %q, want it to speak of the complaint (投诉)", name, text)
		}
		for _, w := range []string{"报修", "维修", "修好", "师傅", "工单"} {
			if strings.Contains(text, w) {
				t.Errorf("%s: got %q, want no repair wording %q", name, text, w)
			}
		}
	}
	_, body, err := notify.Render(notify.TemplateComplaintClosed, with(params, "confirm_link", "https://wuye.example.com/r/confirm?t=12.1.x"))
	if err != nil || !strings.Contains(body, "确认或提出异议请点击：https://wuye.example.com/r/confirm?t=12.1.x") {
		t.Errorf("with a link: got %q, %v, want the link in the body", body, err)
	}
}

// TestAssignmentTexts: the assignee is told where, whom and by when for
// what; anyone else told of the assignment (the first receiver) hears whom
// it went to, never "派给您".
func TestAssignmentTexts(t *testing.T) {
	base := map[string]string{"ticket_no": "12", "urgency": "urgent", "location": "1栋 101", "summary": "厨房漏水", "due": "03-02 10:15"}
	tests := []struct {
		name     string
		give     map[string]string
		want     []string
		wantNone []string
	}{
		{"to the assignee", with(base, "resident", "张先生", "due_milestone", "on_site"),
			[]string{"新工单12", "新工单派给您：12（急）", "地点：1栋 101，联系人：张先生", "请于03-02 10:15前到场处理。"}, nil},
		{"rework, already on site", with(base, "due_milestone", "complete"),
			[]string{"请于03-02 10:15前完成维修。"}, []string{"联系人", "到场"}},
		{"to the first receiver", with(base, "resident", "张先生", "due_milestone", "on_site", "dispatched_to", "李师傅"),
			[]string{"工单12已派给李师傅", "您受理的工单12（急）已派给李师傅处理", "地点：1栋 101", "须于03-02 10:15前到场处理。"},
			[]string{"派给您", "新工单", "张先生"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := notify.Render(notify.TemplateTicketAssigned, tt.give)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			text := subject + "\n" + body
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("got %q, want it to contain %q", text, w)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(text, w) {
					t.Errorf("got %q, want no %q", text, w)
				}
			}
		})
	}
}

func TestRenderUnknownTemplate(t *testing.T) {
	if _, _, err := notify.Render("no_such_template", nil); err == nil {
		t.Error("got no error, want one for an unknown template")
	}
	if _, _, err := notify.Render(notify.TemplateWelcome, nil); err == nil {
		t.Error("nil params: got no error, want a missing-param error")
	}
}

// The ladder's message steps may only name resident texts the notifier has.
func TestDunningMessageTemplatesExist(t *testing.T) {
	for _, name := range models.DunningMessageTemplates() {
		if !slices.Contains(notify.TemplateNames(), name) {
			t.Errorf("dunning message template %q: not in the notifier's catalogue", name)
			continue
		}
		if got, _ := notify.TemplateAudience(name); got != models.RecipientResident {
			t.Errorf("dunning message template %q: got audience %q, want resident", name, got)
		}
	}
}

// TestInspectionDueSaysTheStart: an occurrence created ahead of its start
// tells its start, not only its due time; a message queued before the
// start was sent (no "starts") still renders.
func TestInspectionDueSaysTheStart(t *testing.T) {
	params := map[string]string{"case_no": "巡检12", "topic": "消防巡查 · 1栋", "starts": "03-02 08:00", "due": "03-02 12:00"}
	_, text, err := notify.Render(notify.TemplateInspectionDue, params)
	if err != nil {
		t.Fatal(err)
	}
	if want := "巡检任务巡检12（消防巡查 · 1栋）于03-02 08:00开始，请于03-02 12:00前完成"; !strings.Contains(text, want) {
		t.Errorf("got %q, want it to contain %q", text, want)
	}
	delete(params, "starts")
	if _, text, err = notify.Render(notify.TemplateInspectionDue, params); err != nil || strings.Contains(text, "开始") {
		t.Errorf("without starts: got %q, %v, want the text without a start", text, err)
	}
}
