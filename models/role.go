package models

// Role is a staff member's role within an estate, or company-wide for
// RoleCompanyAdmin. It decides what a staff member may see and do, who
// receives an escalation and who performs a human step of the dunning ladder.
type Role string

// The staff roles.
const (
	RoleCustomerService Role = "customer_service" // 客服
	RoleTechnician      Role = "technician"       // 维修工
	RoleSupervisor      Role = "supervisor"       // 主管
	RoleEstateManager   Role = "estate_manager"   // 项目经理
	RoleFinance         Role = "finance"          // 财务
	RoleLegal           Role = "legal"            // 法务
	RoleCompanyAdmin    Role = "company_admin"    // company level, sees every estate
)

// Roles returns every staff role, in the order listed above. Each call returns
// a fresh slice.
func Roles() []Role { return roles.list() }

var roles = enum[Role]{
	RoleCustomerService, RoleTechnician, RoleSupervisor, RoleEstateManager,
	RoleFinance, RoleLegal, RoleCompanyAdmin,
}

// Valid reports whether r is one of the staff roles.
func (r Role) Valid() bool { return roles.has(r) }

// Rank orders the roles by authority over accounts: customer service,
// technician, finance and legal rank 1, supervisor 2, estate manager 3,
// company administrator 4; an unknown role ranks 0. An estate manager manages
// the accounts of their estate that rank below their own; only a company
// administrator manages estate managers.
func (r Role) Rank() int {
	switch r {
	case RoleCustomerService, RoleTechnician, RoleFinance, RoleLegal:
		return 1
	case RoleSupervisor:
		return 2
	case RoleEstateManager:
		return 3
	case RoleCompanyAdmin:
		return 4
	}
	return 0
}

// Outranks reports whether r ranks strictly above o.
func (r Role) Outranks(o Role) bool { return r.Rank() > o.Rank() }
