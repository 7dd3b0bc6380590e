package notify

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/wuye/wuye/models"
)

// Template names. The comment after each lists the params it needs.
const (
	TemplateTicketReceived        = "ticket_received"         // estate, ticket_no, service_phone; optional follow_link
	TemplateTicketAssigned        = "ticket_assigned"         // ticket_no, urgency, location, summary, due; optional resident, due_milestone, dispatched_to
	TemplateTechnicianOnWay       = "technician_on_way"       // estate, ticket_no, technician, eta
	TemplateTicketDoneConfirm     = "ticket_done_confirm"     // estate, ticket_no, confirm_by; optional confirm_link
	TemplateTicketCompleted       = "ticket_completed"        // ticket_no, summary, technician
	TemplateSLAWarning            = "sla_warning"             // ticket_no, stage, due
	TemplateEscalation            = "escalation"              // ticket_no, summary, stage, due, level
	TemplateTicketClosed          = "ticket_closed"           // ticket_no, outcome
	TemplateReturnVisitDue        = "return_visit_due"        // ticket_no, due; optional rate_link
	TemplatePaymentReminderBefore = "payment_reminder_before" // estate, period, amount, due_date, service_phone; optional bill_link
	TemplatePaymentReminderDue    = "payment_reminder_due"    // estate, period, amount, due_date, service_phone; optional bill_link
	TemplatePaymentOverduePolite  = "payment_overdue_polite"  // estate, period, amount, due_date, service_phone; optional bill_link
	TemplatePaymentOverdueSecond  = "payment_overdue_second"  // estate, period, amount, due_date, service_phone; optional bill_link
	TemplateDunningTask           = "dunning_task"            // location, period, amount, days_overdue, action, due
	TemplateLegalApprovalNeeded   = "legal_approval_needed"   // location, amount, days_overdue, case_no
	TemplateWelcome               = "welcome"                 // estate, location, service_phone; optional report_link
	TemplateFollowupReminder      = "followup_reminder"       // case_no, topic, due
	TemplateFollowupOverdue       = "followup_overdue"        // case_no, topic, due
	// Inspections (巡检/维保), statutory inspections (法定检验) and service
	// contracts (物业服务合同): staff texts.
	TemplateInspectionDue      = "inspection_due"       // case_no, topic, due; starts (optional: the start, sent ahead of it)
	TemplateInspectionOverdue  = "inspection_overdue"   // case_no, topic, due
	TemplateStatutoryDue       = "statutory_due"        // case_no, topic, due
	TemplateStatutoryOverdue   = "statutory_overdue"    // case_no, topic, due
	TemplateContractExpiring   = "contract_expiring"    // case_no, due
	TemplateContractUndecided  = "contract_undecided"   // case_no, due
	TemplateDunningTaskOverdue = "dunning_task_overdue" // task_no, location, action, due, level
	TemplateLegalCaseAssigned  = "legal_case_assigned"  // location, amount, case_no
	// Complaints (投诉) speak as complaints, not repairs: received (受理),
	// in progress (处理中), the answer (答复, the text staff recorded),
	// closed (结案, how to object: reopens it) and the return visit due.
	TemplateComplaintReceived       = "complaint_received"         // estate, ticket_no, answer_by, service_phone; optional follow_link
	TemplateComplaintInProgress     = "complaint_in_progress"      // estate, ticket_no, answer_by
	TemplateComplaintAnswer         = "complaint_answer"           // estate, ticket_no, answer, service_phone
	TemplateComplaintClosed         = "complaint_closed"           // estate, ticket_no, confirm_by, service_phone; optional confirm_link
	TemplateComplaintReturnVisitDue = "complaint_return_visit_due" // ticket_no, due
	// TemplateTicketHurried: the resident pressed 催单 on an overdue ticket.
	TemplateTicketHurried = "ticket_hurried" // ticket_no, summary, stage, due, count

	// Outages (停水停电) and community notices (公告): utility is the
	// outage's name ("停水"), restored_what what comes back ("供水").
	TemplateOutageAnnounce  = "outage_announce"  // estate, utility, buildings, starts, ends, reason, service_phone
	TemplateOutageReminder  = "outage_reminder"  // estate, utility, buildings, starts, ends
	TemplateOutageExtended  = "outage_extended"  // estate, utility, buildings, ends, service_phone
	TemplateOutageRestored  = "outage_restored"  // estate, restored_what, buildings, restored
	TemplateOutageCancelled = "outage_cancelled" // estate, utility, buildings, starts
	TemplateOutageOverdue   = "outage_overdue"   // case_no, utility, buildings, ends, level
	TemplateCommunityNotice = "community_notice" // estate, title, body; optional urgent
	// Satisfaction surveys (满意度调查): the invitation and the reminder to
	// households that have not answered, each with the resident's link.
	TemplateSurveyInvitation = "survey_invitation" // estate, title, closes, service_phone; optional survey_link
	TemplateSurveyReminder   = "survey_reminder"   // estate, title, closes, service_phone; optional survey_link
)

// messageTemplate is one template's audience and texts (text/template
// syntax over the params map). Texts for residents never name the resident
// nor carry a phone number other than the service centre's; of staff texts
// only the assignment names the resident to visit (never a phone), and payment
// texts stay polite: a reminder, never a threat.
type messageTemplate struct {
	name     string
	audience models.RecipientKind
	subject  string
	body     string
}

func catalog() []messageTemplate {
	const resident, staff = models.RecipientResident, models.RecipientStaff
	return []messageTemplate{
		{TemplateTicketReceived, resident, "报修已受理",
			"【{{.estate}}】您的报修已受理，工单号{{.ticket_no}}。我们将尽快安排维修人员与您联系，如有疑问请联系服务中心{{.service_phone}}。{{with index . \"follow_link\"}}查看进度、催单：{{.}}{{end}}"},
		{TemplateTicketAssigned, staff,
			`{{with index . "dispatched_to"}}工单{{$.ticket_no}}已派给{{.}}{{else}}新工单{{.ticket_no}}{{end}}`,
			`{{with index . "dispatched_to"}}您受理的工单{{$.ticket_no}}（{{urgency $.urgency}}）已派给{{.}}处理，地点：{{$.location}}，内容：{{$.summary}}，` +
				`须于{{$.due}}前{{todo (index $ "due_milestone")}}。` +
				`{{else}}新工单派给您：{{.ticket_no}}（{{urgency .urgency}}），地点：{{.location}}{{with index . "resident"}}，联系人：{{.}}{{end}}，` +
				`内容：{{.summary}}。请于{{.due}}前{{todo (index . "due_milestone")}}。{{end}}`},
		{TemplateTechnicianOnWay, resident, "维修人员已出发",
			"【{{.estate}}】您的报修（工单号{{.ticket_no}}）已安排维修师傅{{.technician}}上门，预计{{.eta}}到达，请您留意。"},
		{TemplateTicketDoneConfirm, resident, "维修已完成，请确认",
			"【{{.estate}}】您的报修（工单号{{.ticket_no}}）维修已完成，请确认。如仍有问题请在{{.confirm_by}}前告诉我们，届时未反馈将视为确认完成。{{with index . \"confirm_link\"}}确认或反馈请点击：{{.}}{{end}}"},
		{TemplateTicketCompleted, staff, "工单{{.ticket_no}}已完工",
			"工单{{.ticket_no}}（{{.summary}}）已由{{.technician}}完成，等待业主确认。"},
		{TemplateSLAWarning, staff, "工单{{.ticket_no}}即将超时",
			"工单{{.ticket_no}}的{{.stage}}时限为{{.due}}，即将到期，请尽快处理。"},
		{TemplateEscalation, staff, "工单{{.ticket_no}}已超时升级",
			"工单{{.ticket_no}}（{{.summary}}）{{.stage}}时限{{.due}}已超时，升级至您处理（第{{.level}}级）。"},
		{TemplateTicketClosed, staff, "工单{{.ticket_no}}已关闭",
			"您受理的工单{{.ticket_no}}已关闭，结果：{{.outcome}}。"},
		{TemplateReturnVisitDue, staff, "待回访：工单{{.ticket_no}}",
			"工单{{.ticket_no}}已完成并经业主确认，请于{{.due}}前完成满意度回访并记录结果。{{with index . \"rate_link\"}}也可将评价链接发给业主自行评价：{{.}}{{end}}"},
		{TemplatePaymentReminderBefore, resident, "物业费缴费提醒",
			"【{{.estate}}】温馨提示：您{{.period}}的物业费{{.amount}}元将于{{.due_date}}到期，请您按时缴纳。如已缴纳请忽略本提醒，如有疑问请联系服务中心{{.service_phone}}。感谢您的支持！{{with index . \"bill_link\"}}查看账单：{{.}}{{end}}"},
		{TemplatePaymentReminderDue, resident, "物业费今日到期",
			"【{{.estate}}】温馨提示：您{{.period}}的物业费{{.amount}}元今日（{{.due_date}}）到期，请您及时缴纳。如已缴纳请忽略本提醒，如有疑问请联系服务中心{{.service_phone}}。{{with index . \"bill_link\"}}查看账单：{{.}}{{end}}"},
		{TemplatePaymentOverduePolite, resident, "物业费缴费提醒",
			"【{{.estate}}】温馨提示：您{{.period}}的物业费{{.amount}}元已于{{.due_date}}到期，目前尚未收到您的缴费，烦请抽空缴纳。如已缴纳请忽略本提醒，如有疑问请联系服务中心{{.service_phone}}。{{with index . \"bill_link\"}}查看账单：{{.}}{{end}}"},
		{TemplatePaymentOverdueSecond, resident, "物业费再次提醒",
			"【{{.estate}}】温馨提示：您{{.period}}的物业费{{.amount}}元（{{.due_date}}到期）仍未缴纳，特此再次提醒。如有困难，欢迎与我们沟通协商；如有疑问请联系服务中心{{.service_phone}}。感谢您的理解与支持！{{with index . \"bill_link\"}}查看账单：{{.}}{{end}}"},
		{TemplateDunningTask, staff, "催缴任务：{{.location}}",
			"催缴任务：{{.location}}{{.period}}物业费欠缴{{.amount}}元，已逾期{{.days_overdue}}天。请于{{.due}}前完成{{.action}}，并在系统中记录结果。"},
		{TemplateLegalApprovalNeeded, staff, "待审批：{{.location}}欠费案件",
			"{{.location}}物业费欠缴{{.amount}}元，已逾期{{.days_overdue}}天，前期催缴未果。案件{{.case_no}}需要您审批是否转交法务处理。"},
		{TemplateWelcome, resident, "欢迎入住{{.estate}}",
			"【{{.estate}}】欢迎入住{{.location}}！报修、咨询或投诉请拨打服务中心电话{{.service_phone}}，我们竭诚为您服务。{{with index . \"report_link\"}}在线报修、投诉：{{.}}{{end}}"},
		{TemplateFollowupReminder, staff, "跟进提醒：{{.case_no}}",
			"跟进提醒：{{.case_no}}（{{.topic}}）需在{{.due}}前跟进，请及时联系并记录结果。"},
		{TemplateFollowupOverdue, staff, "跟进已逾期：{{.case_no}}",
			"{{.case_no}}（{{.topic}}）的跟进已于{{.due}}逾期，请尽快处理。"},
		{TemplateDunningTaskOverdue, staff, "催缴任务{{.task_no}}已逾期",
			"催缴任务{{.task_no}}（{{.location}}，{{.action}}）已于{{.due}}逾期未记录结果，升级至您处理（第{{.level}}级）。"},
		{TemplateLegalCaseAssigned, staff, "欠费案件{{.case_no}}转交法务",
			"{{.location}}物业费欠缴{{.amount}}元，案件{{.case_no}}经项目经理批准转交法务处理，证据材料请在系统中查看。"},
		{TemplateComplaintReceived, resident, "投诉已受理",
			"【{{.estate}}】您的投诉已受理，编号{{.ticket_no}}。我们将于{{.answer_by}}前给您答复，如有疑问请联系服务中心{{.service_phone}}。{{with index . \"follow_link\"}}查看进度：{{.}}{{end}}"},
		{TemplateComplaintInProgress, resident, "投诉处理中",
			"【{{.estate}}】您的投诉（编号{{.ticket_no}}）已安排专人跟进处理，我们将于{{.answer_by}}前给您答复。"},
		{TemplateComplaintAnswer, resident, "投诉答复",
			"【{{.estate}}】关于您的投诉（编号{{.ticket_no}}），答复如下：{{.answer}} 如有疑问请联系服务中心{{.service_phone}}。"},
		{TemplateComplaintClosed, resident, "投诉处理完毕，请确认",
			"【{{.estate}}】您的投诉（编号{{.ticket_no}}）已处理完毕，拟予结案。如对处理结果仍有异议，请在{{.confirm_by}}前告诉我们，我们将重新处理；届时未反馈将视为同意结案。" +
				"{{with index . \"confirm_link\"}}确认或提出异议请点击：{{.}}，{{end}}也可致电服务中心{{.service_phone}}。"},
		{TemplateComplaintReturnVisitDue, staff, "待回访：投诉{{.ticket_no}}",
			"投诉{{.ticket_no}}已处理完毕并经投诉人确认，请于{{.due}}前回访投诉人，了解其对投诉处理结果的满意度并记录结果。"},
		{TemplateTicketHurried, staff, "业主催单：工单{{.ticket_no}}",
			"业主对工单{{.ticket_no}}（{{.summary}}）催单（第{{.count}}次）：{{.stage}}时限{{.due}}已过，请尽快处理并告知业主进展。"},

		{TemplateOutageAnnounce, resident, "{{.utility}}通知",
			"【{{.estate}}】{{.utility}}通知：因{{.reason}}，{{.buildings}}将于{{.starts}}至{{.ends}}{{.utility}}，请提前做好准备，给您带来不便敬请谅解。如有疑问请联系服务中心{{.service_phone}}。"},
		{TemplateOutageReminder, resident, "{{.utility}}提醒",
			"【{{.estate}}】温馨提醒：{{.buildings}}将于{{.starts}}开始{{.utility}}，预计{{.ends}}恢复，请提前做好准备。"},
		{TemplateOutageExtended, resident, "{{.utility}}延长通知",
			"【{{.estate}}】{{.buildings}}的{{.utility}}预计延长至{{.ends}}恢复，给您带来不便敬请谅解。如有疑问请联系服务中心{{.service_phone}}。"},
		{TemplateOutageRestored, resident, "已恢复{{.restored_what}}",
			"【{{.estate}}】{{.buildings}}已于{{.restored}}恢复{{.restored_what}}，感谢您的理解与配合。"},
		{TemplateOutageCancelled, resident, "{{.utility}}取消",
			"【{{.estate}}】原定{{.starts}}起{{.buildings}}的{{.utility}}已取消，请以本通知为准。"},
		{TemplateOutageOverdue, staff, "{{.utility}}{{.case_no}}未按时恢复",
			"{{.utility}}{{.case_no}}（{{.buildings}}）计划{{.ends}}恢复，至今未记录恢复，升级至您处理（第{{.level}}级）。"},
		{TemplateCommunityNotice, resident, `{{with index . "urgent"}}紧急{{end}}公告：{{.title}}`,
			`【{{.estate}}】{{with index . "urgent"}}紧急{{end}}公告：{{.title}}。{{.body}}`},
		{TemplateInspectionDue, staff, "巡检任务：{{.case_no}}",
			`巡检任务{{.case_no}}（{{.topic}}）{{with index . "starts"}}于{{.}}开始，{{end}}请于{{.due}}前完成，并逐项记录检查结果；发现隐患请如实登记。`},
		{TemplateInspectionOverdue, staff, "巡检逾期：{{.case_no}}",
			"{{.case_no}}（{{.topic}}）已于{{.due}}逾期未完成，升级至您处理，请尽快安排。"},
		{TemplateStatutoryDue, staff, "法定检验临近：{{.case_no}}",
			"{{.case_no}}（{{.topic}}）的法定检验将于{{.due}}到期，请及时联系特种设备检验机构安排检验。"},
		{TemplateStatutoryOverdue, staff, "法定检验已逾期：{{.case_no}}",
			"{{.case_no}}（{{.topic}}）的法定检验已于{{.due}}到期，请立即安排检验；未经定期检验的设备不得继续使用。"},
		{TemplateContractExpiring, staff, "服务合同即将到期：{{.case_no}}",
			"物业服务{{.case_no}}将于{{.due}}到期，请及早与业主大会（或建设单位）协商，决定续签或移交。"},
		{TemplateContractUndecided, staff, "服务合同到期未决：{{.case_no}}",
			"物业服务{{.case_no}}已于{{.due}}到期，尚未决定续签或移交，升级至您处理。"},
		{TemplateSurveyInvitation, resident, "{{.title}}邀请",
			"【{{.estate}}】诚邀您参加{{.title}}，约需3分钟，您的意见将帮助我们改进服务。{{with index . \"survey_link\"}}填写问卷：{{.}}，{{end}}{{.closes}}截止。如有疑问请联系服务中心{{.service_phone}}。"},
		{TemplateSurveyReminder, resident, "{{.title}}温馨提示",
			"【{{.estate}}】{{.title}}将于{{.closes}}截止，您尚未填写。{{with index . \"survey_link\"}}填写问卷：{{.}}，{{end}}感谢您的支持！如有疑问请联系服务中心{{.service_phone}}。"},
	}
}

func lookup(name string) (messageTemplate, bool) {
	for _, t := range catalog() {
		if t.name == name {
			return t, true
		}
	}
	return messageTemplate{}, false
}

// TemplateNames lists every template name, in catalogue order.
func TemplateNames() []string {
	var out []string
	for _, t := range catalog() {
		out = append(out, t.name)
	}
	return out
}

// TemplateAudience reports who a template is written for, and whether the
// template exists.
func TemplateAudience(name string) (models.RecipientKind, bool) {
	t, ok := lookup(name)
	return t.audience, ok
}

// Render fills template name with params. An unknown template or a missing
// param is an error; extra params are ignored.
func Render(name string, params map[string]string) (subject, body string, err error) {
	t, ok := lookup(name)
	if !ok {
		return "", "", fmt.Errorf("render: unknown template %q", name)
	}
	if params == nil {
		params = map[string]string{}
	}
	if subject, err = execute(name+".subject", t.subject, params); err != nil {
		return "", "", err
	}
	if body, err = execute(name+".body", t.body, params); err != nil {
		return "", "", err
	}
	return subject, body, nil
}

// todoName says what is due by a deadline, from its milestone
// (models.Milestone); "处理" when it is not known.
func todoName(milestone string) string {
	switch milestone {
	case "contact":
		return "联系业主"
	case "on_site":
		return "到场处理"
	case "complete":
		return "完成维修"
	case "acknowledge":
		return "受理"
	case "answer":
		return "答复业主"
	case "resolve":
		return "解决"
	}
	return "处理"
}

// urgencyName is the Chinese name of an urgency tier, for texts people read.
func urgencyName(code string) string {
	switch code {
	case "critical":
		return "特急"
	case "urgent":
		return "急"
	case "normal":
		return "一般"
	}
	return code
}

func execute(name, text string, params map[string]string) (string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"urgency": urgencyName, "todo": todoName}).Parse(text)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, params); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}
