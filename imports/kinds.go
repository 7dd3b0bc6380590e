package imports

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// The columns the kinds share.
const (
	colBuilding = "楼栋"
	colNumber   = "房号"
)

var (
	unitRoles    = []models.Role{models.RoleCustomerService, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance, models.RoleCompanyAdmin}
	balanceRoles = []models.Role{models.RoleFinance, models.RoleEstateManager, models.RoleCompanyAdmin}
	staffRoles   = []models.Role{models.RoleEstateManager, models.RoleCompanyAdmin}
	// AnyRoles may import at least one kind.
	AnyRoles = unitRoles
)

// earliest is the first date an imported record may carry.
var earliest = models.Date{Year: 1990, Month: time.January, Day: 1}

// units: 楼栋, 房号, 楼层, 建筑面积(㎡), 物业类型, 房屋状态 — buildings are
// created as needed; business key building and number.
func unitsKind() *Kind {
	const colFloor, colArea, colType, colOcc = "楼层", "建筑面积(㎡)", "物业类型", "房屋状态"
	cols := []Column{{colBuilding, "1栋"}, {colNumber, "101"}, {colFloor, "1"}, {colArea, "89.35"}, {colType, "住宅"}, {colOcc, "入住"}}
	return entry("units", "房屋", unitRoles, cols,
		func(c *cells, env *Env) (store.UnitRecord, string) {
			r := store.UnitRecord{Building: c.text(colBuilding, 50, true), Number: c.text(colNumber, 20, true)}
			if v := c.text(colFloor, 4, false); v != "" {
				f, err := strconv.Atoi(v)
				if err != nil || f < -10 || f > 300 {
					c.fail(colFloor, "楼层 %q 无效：应为 -10 至 300 的整数", v)
				}
				r.Floor = f
			}
			if v := c.text(colArea, 20, true); v != "" {
				a, err := models.ParseArea(v)
				if err != nil {
					c.fail(colArea, "%v", err)
				}
				r.Area = a
			}
			r.PropertyType = models.PropertyResidential
			if v := c.text(colType, 10, false); v != "" {
				t, ok := models.ParsePropertyType(v)
				if !ok {
					c.fail(colType, "物业类型 %q 无效：应为 住宅、商铺、办公、车位 或 储藏室", v)
				}
				r.PropertyType = t
			}
			r.Occupancy = models.OccupancyOccupied
			if v := c.text(colOcc, 10, false); v != "" {
				o, ok := models.ParseOccupancy(v)
				if !ok {
					c.fail(colOcc, "房屋状态 %q 无效：应为 未交付、空置 或 入住", v)
				}
				r.Occupancy = o
			}
			return r, r.Building + " " + r.Number
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []store.UnitRecord) (map[int]string, error) {
			return nil, a.Store.UpsertUnits(ctx, estateID, recs)
		})
}

// households: 楼栋, 房号, 入住日期, 姓名, 手机, 身份 — one row per resident;
// the unit's household is found or created; business key unit and phone.
func householdsKind() *Kind {
	const colMovedIn, colName, colPhone, colRole = "入住日期", "姓名", "手机", "身份"
	cols := []Column{{colBuilding, "1栋"}, {colNumber, "101"}, {colMovedIn, "2024-05-01"}, {colName, "张三"}, {colPhone, "13812345678"}, {colRole, "业主"}}
	return entry("households", "住户", unitRoles, cols,
		func(c *cells, env *Env) (store.ResidentRecord, string) {
			r := store.ResidentRecord{UnitID: c.unit(env)}
			r.MovedInOn = c.date(colMovedIn, false, earliest, env.Today.AddDays(366))
			r.Name = c.text(colName, 50, true)
			r.Phone = c.text(colPhone, 20, true)
			if r.Phone != "" && !models.ValidPhone(r.Phone) {
				c.fail(colPhone, "手机号 %q 无效：应为 13812345678 或 0755-12345678 这样的号码", r.Phone)
			}
			if v := c.text(colRole, 10, true); v != "" {
				role, ok := models.ParseResidentRole(v)
				if !ok {
					c.fail(colRole, "身份 %q 无效：应为 业主 或 租户", v)
				}
				r.Role = role
			}
			return r, strconv.FormatUint(r.UnitID, 10) + " " + r.Phone
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []store.ResidentRecord) (map[int]string, error) {
			return a.Store.UpsertResidents(ctx, estateID, recs)
		})
}

// opening_balances (期初欠费): 楼栋, 房号, 账期, 金额(元), 原到期日 — unpaid
// bills of the previous system due on their original dates; business key
// household and period.
func openingBalancesKind() *Kind {
	const colPeriod, colAmount, colDue = "账期", "金额(元)", "原到期日"
	cols := []Column{{colBuilding, "1栋"}, {colNumber, "101"}, {colPeriod, "2026-01"}, {colAmount, "268.50"}, {colDue, "2026-02-10"}}
	return entry(OpeningBalances, "期初欠费", balanceRoles, cols,
		func(c *cells, env *Env) (store.OpeningBalanceRecord, string) {
			var r store.OpeningBalanceRecord
			r.UnitID = c.unit(env)
			if r.UnitID != 0 {
				if _, ok := env.Index.Households[r.UnitID]; !ok {
					c.fail(colNumber, "房屋没有在住的住户（请先导入住户）")
				}
			}
			r.Period = c.period(colPeriod, true, env.thisMonth()).String()
			if v := c.text(colAmount, 20, true); v != "" {
				m, err := models.ParseYuan(v)
				switch {
				case err != nil:
					c.fail(colAmount, "%v", err)
				case m == 0:
					c.fail(colAmount, "欠费金额应大于 0")
				}
				r.AmountFen = m
			}
			if d := c.date(colDue, true, earliest, env.Today.AddDays(366)); d != nil {
				r.DueOn = *d
			}
			return r, strconv.FormatUint(r.UnitID, 10) + " " + r.Period
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []store.OpeningBalanceRecord) (map[int]string, error) {
			return a.Store.UpsertOpeningBalances(ctx, estateID, recs)
		})
}

var usernameForm = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// staff: 姓名, 用户名, 手机, 角色, 所属小区 — accounts of the estate, created
// without a usable password (a manager resets it to give one); business
// key username.
func staffKind() *Kind {
	const colName, colUser, colPhone, colRole, colEstate = "姓名", "用户名", "手机", "角色", "所属小区"
	cols := []Column{{colName, "李四"}, {colUser, "lisi"}, {colPhone, "13912345678"}, {colRole, "客服"}, {colEstate, "阳光花园"}}
	return entry("staff", "员工", staffRoles, cols,
		func(c *cells, env *Env) (store.StaffRecord, string) {
			r := store.StaffRecord{Name: c.text(colName, 50, true), Username: c.text(colUser, 64, true), Phone: c.text(colPhone, 20, false)}
			if r.Username != "" && !usernameForm.MatchString(r.Username) {
				c.fail(colUser, "用户名应为 2 至 64 位字母、数字、点、横线或下划线")
			}
			if r.Phone != "" && !models.ValidPhone(r.Phone) {
				c.fail(colPhone, "手机号 %q 无效：应为 13812345678 或 0755-12345678 这样的号码", r.Phone)
			}
			if v := c.text(colRole, 10, true); v != "" {
				role, ok := models.ParseRole(v)
				switch {
				case !ok || role == models.RoleCompanyAdmin:
					c.fail(colRole, "角色 %q 无效：应为 客服、维修工、主管、项目经理、财务 或 法务", v)
				case !env.Manages(role):
					c.fail(colRole, "您无权设置%s角色", role.Label())
				}
				r.Role = role
			}
			if v := c.text(colEstate, 100, true); v != "" && v != env.Estate.Name && v != env.Estate.Code {
				c.fail(colEstate, "所属小区应为本次导入的小区“%s”", env.Estate.Name)
			}
			if cur, ok := env.Staff[r.Username]; ok {
				switch {
				case cur.EstateID == nil || *cur.EstateID != env.Estate.ID:
					c.fail(colUser, "用户名已被其他小区或公司级账号使用")
				case !env.Manages(cur.Role):
					c.fail(colUser, "您无权修改该账号（%s）", cur.Role.Label())
				}
			}
			return r, r.Username
		},
		func(ctx context.Context, a Applier, estateID uint64, recs []store.StaffRecord) (map[int]string, error) {
			return a.Store.UpsertStaff(ctx, estateID, recs, LockedHash)
		})
}
