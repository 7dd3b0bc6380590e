package models

import "testing"

func TestRoleOutranks(t *testing.T) {
	tests := []struct {
		give, other Role
		want        bool
	}{
		{RoleCompanyAdmin, RoleEstateManager, true},
		{RoleCompanyAdmin, RoleCompanyAdmin, false},
		{RoleEstateManager, RoleSupervisor, true},
		{RoleEstateManager, RoleEstateManager, false},
		{RoleEstateManager, RoleCompanyAdmin, false},
		{RoleSupervisor, RoleTechnician, true},
		{RoleSupervisor, RoleSupervisor, false},
		{RoleTechnician, RoleCustomerService, false},
		{RoleFinance, RoleLegal, false},
		{RoleLegal, RoleSupervisor, false},
		{RoleEstateManager, Role("janitor"), true},
		{Role("janitor"), RoleTechnician, false},
	}
	for _, tt := range tests {
		if got := tt.give.Outranks(tt.other); got != tt.want {
			t.Errorf("%s.Outranks(%s): got %v, want %v", tt.give, tt.other, got, tt.want)
		}
	}
	for _, r := range Roles() {
		if r.Rank() == 0 {
			t.Errorf("%s.Rank(): got 0, want every role ranked", r)
		}
	}
}
