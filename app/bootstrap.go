package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	enums "go.temporal.io/api/enums/v1"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// bootstrapAdmin creates the first company administrator when the database
// has no staff at all, with WUYE_ADMIN_PASSWORD or a generated password that
// is printed once and must be changed.
func bootstrapAdmin(ctx context.Context, s *store.Store, cfg config.Config, out io.Writer, log *slog.Logger) error {
	n, err := s.CountStaff(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	if n > 0 {
		return nil
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		if password, err = auth.NewPassword(); err != nil {
			return err
		}
		generated = true
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	admin := models.Staff{Username: cfg.AdminUsername, Name: "系统管理员", Role: models.RoleCompanyAdmin,
		PasswordHash: hash, Active: true, MustChangePassword: generated}
	if err := s.CreateStaff(ctx, store.AllEstates(), &admin); err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	log.Info("first company administrator created", "username", admin.Username)
	if generated {
		fmt.Fprintf(out, "\nFirst company administrator: username %q, one-time password %q\n"+
			"  (shown only now; change it with PUT /api/v1/me/password after signing in)\n", admin.Username, password)
	} else {
		fmt.Fprintf(out, "\nFirst company administrator: username %q, password from WUYE_ADMIN_PASSWORD\n", admin.Username)
	}
	return nil
}

// DemoPassword is every demo account's password.
const DemoPassword = "wuye-demo-2026"

// demoAreas are the demo units' building areas (建筑面积).
var demoAreas = []models.Area{89_50, 120_35, 76_80, 143_20}

// demoStaff is one account of every estate role.
var demoStaff = []struct {
	username, name string
	role           models.Role
}{
	{"kefu", "客服 王丽", models.RoleCustomerService},
	{"weixiu", "维修工 李强", models.RoleTechnician},
	{"weixiu2", "维修工 赵刚", models.RoleTechnician},
	{"zhuguan", "主管 陈明", models.RoleSupervisor},
	{"jingli", "项目经理 刘芳", models.RoleEstateManager},
	{"caiwu", "财务 孙静", models.RoleFinance},
	{"fawu", "法务 周律", models.RoleLegal},
}

// seedDemo fills a database that has no estate with a demo estate: staff of
// every role, two buildings, households and residents. It does nothing when
// an estate exists.
func seedDemo(ctx context.Context, s *store.Store, cfg config.Config, out io.Writer, log *slog.Logger) error {
	list, err := s.Estates(ctx, store.AllEstates(), store.Page{Size: 1})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if list.Total > 0 {
		log.Info("demo data skipped: the database already has estates")
		return nil
	}
	all := store.AllEstates()
	e := models.Estate{Code: "DEMO", Name: "阳光花园", Address: "示例市示例区阳光路 1 号", TimeZone: cfg.TimeZone, ServicePhone: "0755-88886666"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		return fmt.Errorf("demo estate: %w", err)
	}
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	var manager uint64 // the demo's estate manager: the survey's creator
	for i, d := range demoStaff {
		st := models.Staff{EstateID: &e.ID, Username: d.username, Name: d.name, Role: d.role,
			Phone: fmt.Sprintf("1390000%04d", i+1), PasswordHash: hash, Active: true}
		if err := s.CreateStaff(ctx, all, &st); err != nil {
			return fmt.Errorf("demo staff %s: %w", d.username, err)
		}
		if d.role == models.RoleEstateManager && manager == 0 {
			manager = st.ID
		}
	}
	surnames := []string{"张", "王", "李", "赵", "钱", "孙", "周", "吴"}
	n := 0
	for _, bname := range []string{"1栋", "2栋"} {
		b := models.Building{EstateID: e.ID, Name: bname}
		if err := s.CreateBuilding(ctx, all, &b); err != nil {
			return fmt.Errorf("demo building: %w", err)
		}
		for floor := 1; floor <= 2; floor++ {
			for door := 1; door <= 2; door++ {
				u := models.Unit{BuildingID: b.ID, Number: fmt.Sprintf("%d%02d", floor, door), Floor: floor, Area: demoAreas[n%len(demoAreas)]}
				if n%4 == 3 {
					u.Occupancy = models.OccupancyVacant // priced at the vacancy discount
				}
				if err := s.CreateUnit(ctx, all, &u); err != nil {
					return fmt.Errorf("demo unit: %w", err)
				}
				h := models.Household{UnitID: u.ID}
				if err := s.CreateHousehold(ctx, all, &h); err != nil {
					return fmt.Errorf("demo household: %w", err)
				}
				r := models.Resident{HouseholdID: h.ID, Name: surnames[n%len(surnames)] + "先生", Role: models.ResidentOwner,
					Phone: fmt.Sprintf("1380013%04d", n+1)}
				if err := s.CreateResident(ctx, all, &r); err != nil {
					return fmt.Errorf("demo resident: %w", err)
				}
				n++
			}
		}
	}
	// Fee standards (收费标准) from a year back, so 收费管理's billing run has
	// something to price: 物业服务费 by area (vacant units at 70 %) and a
	// flat 垃圾清运费.
	from := models.MonthOf(time.Now().In(time.UTC).AddDate(-1, 0, 0)).String()
	for _, d := range []struct {
		name   string
		method models.PricingMethod
		price  models.Price
		vacant int
	}{
		{"物业服务费", models.PricePerArea, 2_3500, 70},
		{"垃圾清运费", models.PricePerUnit, 10_0000, 100},
	} {
		std := models.FeeStandard{EstateID: e.ID, Name: d.name, Method: d.method}
		v := models.FeeStandardVersion{UnitPrice: d.price, PropertyTypes: []models.PropertyType{models.PropertyResidential},
			VacantPercent: d.vacant, ValidFrom: from}
		if err := s.CreateFeeStandard(ctx, all, &std, v, nil); err != nil {
			return fmt.Errorf("demo fee standard %s: %w", d.name, err)
		}
	}
	if err := seedDemoInspections(ctx, s, e.ID, cfg); err != nil {
		return err
	}
	if err := seedDemoContract(ctx, s, e); err != nil {
		return err
	}
	// A planned water outage tomorrow and a community notice (their
	// processes start once Temporal is up: App.startDemoNotices).
	if err := seedDemoNotices(ctx, s, e, 0, time.Now()); err != nil {
		return err
	}
	// A satisfaction survey of this quarter with a few answers saved (its
	// process starts once Temporal is up: App.startDemoSurveys).
	if err := seedDemoSurvey(ctx, s, e.ID, manager, cfg.TimeZone); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo estate %q created: %d households; staff accounts (password %q):\n", e.Name, n, DemoPassword)
	for _, d := range demoStaff {
		fmt.Fprintf(out, "  %-8s %s\n", d.username, d.role)
	}
	return nil
}

// seedDemoInspections adds the demo's equipment ledger (设备台账) and its
// plans: a daily patrol, a monthly pump check and the yearly statutory
// inspection of a lift due in 20 days. Their workflows start with the
// worker (App.ensureInspections).
func seedDemoInspections(ctx context.Context, s *store.Store, estateID uint64, cfg config.Config) error {
	all := store.AllEstates()
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	today := models.DateTime(models.DateOf(time.Now(), loc))
	installed := today.AddDate(-6, 0, 0)
	liftDue := today.AddDate(0, 0, 20)
	items := []models.Equipment{
		{Code: "DT-01", Name: "1栋1号电梯", Type: models.EquipmentLift, Location: "1栋", Maker: "示例电梯", InstalledOn: &installed,
			Contractor: "示例电梯维保公司", StatutoryDueOn: &liftDue},
		{Code: "SB-01", Name: "生活水泵", Type: models.EquipmentPump, Location: "地下泵房", Maker: "示例泵业", InstalledOn: &installed},
		{Code: "XF-01", Name: "消防报警主机", Type: models.EquipmentFire, Location: "消防控制室", Contractor: "示例消防技术公司"},
	}
	for i := range items {
		items[i].EstateID, items[i].Active = estateID, true
		if err := s.CreateEquipment(ctx, all, &items[i]); err != nil {
			return fmt.Errorf("demo equipment: %w", err)
		}
	}
	plans := []models.InspectionPlan{
		{Name: "每日安全巡逻", Cadence: models.CadenceDaily, At: "09:00", WorkdaysOnly: true, AssigneeRole: models.RoleTechnician,
			Checklist: []models.ChecklistItem{{Text: "消防通道畅通", Required: true}, {Text: "单元门禁正常", Required: true}, {Text: "公共照明完好"}}},
		{EquipmentID: &items[1].ID, Name: "水泵月度保养", Cadence: models.CadenceMonthly, At: "10:00", AssigneeRole: models.RoleTechnician,
			Checklist: []models.ChecklistItem{{Text: "出口压力正常", Required: true}, {Text: "无异响、无渗漏", Required: true}, {Text: "控制柜指示正常"}}},
		{EquipmentID: &items[0].ID, Name: "电梯年度法定检验", Cadence: models.CadenceYearly, At: "09:30", AssigneeRole: models.RoleSupervisor,
			StartsOn: liftDue, Checklist: []models.ChecklistItem{{Text: "特检机构现场检验", Required: true}, {Text: "检验报告归档", Required: true}}},
	}
	for i := range plans {
		p := &plans[i]
		p.EstateID, p.Active = estateID, true
		if p.StartsOn.IsZero() {
			p.StartsOn = today
		}
		if err := s.CreateInspectionPlan(ctx, all, p); err != nil {
			return fmt.Errorf("demo plan: %w", err)
		}
	}
	return nil
}

// seedDemoContract records the demo estate's service contract (物业服务合同),
// its term ending in 80 days: its process (started by startDemoContracts)
// sends the 90 days' reminder at once.
func seedDemoContract(ctx context.Context, s *store.Store, e models.Estate) error {
	all := store.AllEstates()
	stds, err := s.FeeStandards(ctx, all, store.FeeStandardFilter{EstateID: e.ID}, store.Page{Size: 10})
	if err != nil {
		return fmt.Errorf("demo contract: %w", err)
	}
	var mgr uint64
	staff, err := s.Staff(ctx, all, store.StaffFilter{EstateID: e.ID, Role: models.RoleEstateManager}, store.Page{Size: 1})
	if err == nil && len(staff.Items) > 0 {
		mgr = staff.Items[0].ID
	}
	loc, _ := time.LoadLocation(e.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	end := models.ContractDate(models.DateOf(time.Now().In(loc).AddDate(0, 0, 80), loc))
	c := models.Contract{EstateID: e.ID, CreatedBy: mgr,
		ContractRecord: models.ContractRecord{Number: "HT-DEMO-001", PartyAKind: models.PartyOwnersAssembly, PartyA: e.Name + "业主大会",
			PartyB: "示例物业服务有限公司", Notes: "示例合同：到期前 180/90/30 天提醒，到期未决定续签或移交将升级。"},
		ContractTerms:    models.ContractTerms{ServiceLevel: models.ServiceLevel2},
		ContractProgress: models.ContractProgress{TermStart: end.AddDate(-3, 0, 1), TermEnd: end}}
	for _, std := range stds.Items {
		if std.Name == "物业服务费" {
			c.FeeStandardID = &std.ID
		}
	}
	c.Status = models.DefaultContractPolicy().ContractStatusAt(models.ContractEnd(end, loc), time.Now(), false, false)
	v := models.ContractVersion{Key: "signed", EffectiveOn: c.TermStart, Changes: "签订合同"}
	if err := s.CreateContract(ctx, &c, &v); err != nil {
		return fmt.Errorf("demo contract: %w", err)
	}
	return nil
}

// startDemoContracts starts the expiry process of every contract not yet
// handed over (one already running is left alone); a failure is logged and
// the start goes on.
func (a *App) startDemoContracts(ctx context.Context) {
	all := store.AllEstates()
	l, err := a.Store.Contracts(ctx, all, store.ContractFilter{}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		a.log.Error("demo contracts", "err", err)
		return
	}
	for _, c := range l.Items {
		if c.Status.Terminal() {
			continue
		}
		e, err := a.Store.Estate(ctx, all, c.EstateID)
		var pol models.EstatePolicy
		if err == nil {
			pol, err = a.Store.Policy(ctx, all, c.EstateID)
		}
		if err == nil {
			err = workflows.StartOnce(ctx, a.Temporal, workflows.ContractWorkflowID(c.ID), enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
				workflows.Contract, workflows.NewContractInput(c, pol.Policy, e.TimeZone))
		}
		if err != nil {
			a.log.Error("demo contract process", "contract_id", c.ID, "err", err)
		}
	}
}
