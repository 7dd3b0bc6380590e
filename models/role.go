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
func Roles() []Role {
	return []Role{
		RoleCustomerService, RoleTechnician, RoleSupervisor, RoleEstateManager,
		RoleFinance, RoleLegal, RoleCompanyAdmin,
	}
}

// Valid reports whether r is one of the staff roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCustomerService, RoleTechnician, RoleSupervisor, RoleEstateManager,
		RoleFinance, RoleLegal, RoleCompanyAdmin:
		return true
	}
	return false
}
