package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
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
	for i, d := range demoStaff {
		st := models.Staff{EstateID: &e.ID, Username: d.username, Name: d.name, Role: d.role,
			Phone: fmt.Sprintf("1390000%04d", i+1), PasswordHash: hash, Active: true}
		if err := s.CreateStaff(ctx, all, &st); err != nil {
			return fmt.Errorf("demo staff %s: %w", d.username, err)
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
	// A satisfaction survey of this quarter, open, with a few answers.
	if err := seedDemoSurvey(ctx, s, e.ID, cfg.TimeZone); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo estate %q created: %d households; staff accounts (password %q):\n", e.Name, n, DemoPassword)
	for _, d := range demoStaff {
		fmt.Fprintf(out, "  %-8s %s\n", d.username, d.role)
	}
	return nil
}
