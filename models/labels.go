package models

import "strings"

// The names staff read for the codes of tickets, follow-ups, collection
// cases, households, residents and payments, where the server writes them for people (exports, charts); the
// console's labels.js names them for its pages.
var (
	ticketKindLabels   = map[TicketKind]string{TicketRepair: "报修", TicketComplaint: "投诉"}
	urgencyLabels      = map[Urgency]string{UrgencyCritical: "特急", UrgencyUrgent: "紧急", UrgencyNormal: "一般"}
	ticketStatusLabels = map[TicketStatus]string{
		StatusNew: "待处理", StatusAssigned: "已派单", StatusAccepted: "已接单", StatusInProgress: "处理中",
		StatusAcknowledged: "已受理", StatusAnswered: "已答复", StatusOnHold: "挂起", StatusCompleted: "已完成",
		StatusReturnVisit: "待回访", StatusClosed: "已关闭", StatusCancelled: "已取消",
	}
	followUpStatusLabels = map[FollowUpStatus]string{
		FollowUpPending: "待回访", FollowUpScheduled: "已预约", FollowUpTicketsOpen: "待工单完结",
		FollowUpCompleted: "已完成", FollowUpUnreachable: "联系不上", FollowUpCancelled: "已取消",
	}
	caseStageLabels = map[CaseStage]string{
		StageReminding: "到期提醒", StageOverdue: "已逾期", StageDunning: "催缴中", StagePaused: "暂停催缴",
		StageLegalPending: "待法务审批", StageLegal: "已转法务", StageClosed: "已关闭",
	}
	propertyTypeLabels = map[PropertyType]string{
		PropertyResidential: "住宅", PropertyShop: "商铺", PropertyOffice: "办公", PropertyParking: "车位", PropertyStorage: "储藏室",
	}
	occupancyLabels       = map[Occupancy]string{OccupancyUndelivered: "未交付", OccupancyVacant: "空置", OccupancyOccupied: "入住"}
	householdStatusLabels = map[HouseholdStatus]string{HouseholdActive: "在住", HouseholdMovedOut: "已迁出"}
	residentRoleLabels    = map[ResidentRole]string{ResidentOwner: "业主", ResidentTenant: "租户", ResidentContact: "报事人"}
	paymentChannelLabels  = map[PaymentChannel]string{
		PayCash: "现金", PayWeChat: "微信", PayAlipay: "支付宝", PayBank: "银行转账", PayCard: "刷卡", PayDeducted: "代扣",
	}
	pricingMethodLabels = map[PricingMethod]string{
		PricePerArea: "按面积", PricePerUnit: "按户", PricePerSpace: "按车位", PriceMetered: "按读数",
	}
	meterKindLabels = map[MeterKind]string{MeterWater: "水", MeterElectricity: "电", MeterGas: "燃气"}
	roleLabels      = map[Role]string{
		RoleCustomerService: "客服", RoleTechnician: "维修工", RoleSupervisor: "主管", RoleEstateManager: "项目经理",
		RoleFinance: "财务", RoleLegal: "法务", RoleCompanyAdmin: "公司管理员",
	}
)

// Label is the status's Chinese name (在住, 已迁出).
func (s HouseholdStatus) Label() string { return label(householdStatusLabels, s) }

// Label is the role's Chinese name (业主, 租户).
func (r ResidentRole) Label() string { return label(residentRoleLabels, r) }

// Label is the channel's Chinese name (现金, 微信 …).
func (c PaymentChannel) Label() string { return label(paymentChannelLabels, c) }

// Label is the kind's Chinese name (报修, 投诉).
func (k TicketKind) Label() string { return label(ticketKindLabels, k) }

// Label is the urgency's Chinese name (特急, 紧急, 一般).
func (u Urgency) Label() string { return label(urgencyLabels, u) }

// Label is the status's Chinese name.
func (s TicketStatus) Label() string { return label(ticketStatusLabels, s) }

// Label is the status's Chinese name.
func (s FollowUpStatus) Label() string { return label(followUpStatusLabels, s) }

// Label is the stage's Chinese name.
func (s CaseStage) Label() string { return label(caseStageLabels, s) }

// Label is the property type's Chinese name (住宅, 商铺 …).
func (t PropertyType) Label() string { return label(propertyTypeLabels, t) }

// Label is the occupancy's Chinese name (未交付, 空置, 入住).
func (o Occupancy) Label() string { return label(occupancyLabels, o) }

// Label is the role's Chinese name (客服, 项目经理 …).
func (r Role) Label() string { return label(roleLabels, r) }

// Label is the method's Chinese name (按面积, 按户, 按车位, 按读数).
func (m PricingMethod) Label() string { return label(pricingMethodLabels, m) }

// Label is the meter kind's Chinese name (水, 电, 燃气).
func (k MeterKind) Label() string { return label(meterKindLabels, k) }

// ParsePricingMethod reads a pricing method by its code or its Chinese name
// (按面积, 按户, 按车位, 按读数; also 按建筑面积 and 按抄表).
func ParsePricingMethod(s string) (PricingMethod, bool) {
	switch strings.TrimSpace(s) {
	case "按建筑面积":
		return PricePerArea, true
	case "按抄表":
		return PriceMetered, true
	}
	return byCodeOrLabel(pricingMethods, pricingMethodLabels, s)
}

// ParseMeterKind reads a meter kind by its code or its Chinese name (水,
// 电, 燃气; also 水表, 电表, 燃气表).
func ParseMeterKind(s string) (MeterKind, bool) {
	return byCodeOrLabel(meterKinds, meterKindLabels, strings.TrimSuffix(strings.TrimSpace(s), "表"))
}

// ParseRole reads a staff role by its code or its Chinese name.
func ParseRole(s string) (Role, bool) { return byCodeOrLabel(roles, roleLabels, s) }

// ParseResidentRole reads a resident role by its code or its Chinese name
// (业主; 租户 or 住户 for a tenant).
func ParseResidentRole(s string) (ResidentRole, bool) {
	if strings.TrimSpace(s) == "住户" {
		return ResidentTenant, true
	}
	return byCodeOrLabel(residentRoles, residentRoleLabels, s)
}
