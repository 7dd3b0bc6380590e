package imports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

func testEnv() *Env {
	estateID := uint64(1)
	other := uint64(2)
	return &Env{
		Estate: models.Estate{ID: estateID, Code: "SG", Name: "阳光花园"},
		Index: store.UnitIndex{
			Units:      map[store.UnitKey]uint64{{Building: "1栋", Number: "101"}: 11, {Building: "1栋", Number: "102"}: 12},
			Households: map[uint64]uint64{11: 21},
		},
		Staff: map[string]models.Staff{
			"taken":   {Username: "taken", EstateID: &other, Role: models.RoleCustomerService},
			"manager": {Username: "manager", EstateID: &estateID, Role: models.RoleEstateManager},
		},
		Manages: func(r models.Role) bool { return models.RoleEstateManager.Outranks(r) },
		Today:   models.Date{Year: 2026, Month: time.December, Day: 6},
	}
}

// checkRows checks header plus one data row against kind and returns the
// problems as "column: reason" (or "" when the row passed).
func checkRow(t *testing.T, kind string, header, row string) string {
	t.Helper()
	k := Kinds()[kind]
	got, err := k.Check([][]string{strings.Split(header, ","), strings.Split(row, ",")}, testEnv())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var out []string
	for _, e := range got.Errors {
		out = append(out, e.Column+": "+e.Reason)
	}
	return strings.Join(out, "; ")
}

func TestRowChecks(t *testing.T) {
	const (
		units      = "楼栋,房号,楼层,建筑面积(㎡),物业类型,房屋状态"
		households = "楼栋,房号,入住日期,姓名,手机,身份"
		balances   = "楼栋,房号,账期,金额(元),原到期日"
		staff      = "姓名,用户名,手机,角色,所属小区"
	)
	tests := []struct {
		name, kind, header, row string
		want                    string // a substring of the problems; "" for none
	}{
		{"unit ok", "units", units, "1栋,101,1,89.35,住宅,入住", ""},
		{"unit by codes", "units", units, "2栋,201,2,120,shop,vacant", ""},
		{"unit defaults", "units", units, "2栋,202,,0,,", ""},
		{"negative area", "units", units, "1栋,101,1,-5,住宅,入住", "建筑面积(㎡): 面积 \"-5\" 无效"},
		{"three decimals", "units", units, "1栋,101,1,89.355,住宅,入住", "建筑面积(㎡)"},
		{"area missing", "units", units, "1栋,101,1,,住宅,入住", "建筑面积(㎡): 不能为空"},
		{"bad floor", "units", units, "1栋,101,一,89,住宅,入住", "楼层"},
		{"bad type", "units", units, "1栋,101,1,89,别墅,入住", "物业类型"},
		{"bad occupancy", "units", units, "1栋,101,1,89,住宅,出租", "房屋状态"},
		{"no building", "units", units, ",101,1,89,住宅,入住", "楼栋: 不能为空"},
		{"resident ok", "households", households, "1栋,101,2024-05-01,张三,13812345678,业主", ""},
		{"resident slash date", "households", households, "1栋,102,2024/5/1,李四,0755-12345678,租户", ""},
		{"bad phone", "households", households, "1栋,101,2024-05-01,张三,12345,业主", "手机: 手机号 \"12345\" 无效"},
		{"unknown unit", "households", households, "9栋,901,2024-05-01,张三,13812345678,业主", "房号: 房屋 9栋 901 不存在"},
		{"bad role", "households", households, "1栋,101,2024-05-01,张三,13812345678,房东", "身份"},
		{"future move-in", "households", households, "1栋,101,2030-01-01,张三,13812345678,业主", "入住日期: 日期 2030-01-01 应在"},
		{"bad date", "households", households, "1栋,101,2024-13-01,张三,13812345678,业主", "入住日期"},
		{"balance ok", "opening_balances", balances, "1栋,101,2026-01,268.50,2026-02-10", ""},
		{"balance no household", "opening_balances", balances, "1栋,102,2026-01,268.50,2026-02-10", "没有在住的住户"},
		{"balance future period", "opening_balances", balances, "1栋,101,2027-01,268.50,2027-02-10", "账期"},
		{"balance zero", "opening_balances", balances, "1栋,101,2026-01,0,2026-02-10", "金额(元): 欠费金额应大于 0"},
		{"balance negative", "opening_balances", balances, "1栋,101,2026-01,-3,2026-02-10", "金额(元)"},
		{"balance too large", "opening_balances", balances, "1栋,101,2026-01,10000000.01,2026-02-10", "超出上限"},
		{"balance no due", "opening_balances", balances, "1栋,101,2026-01,1,", "原到期日: 不能为空"},
		{"staff ok", "staff", staff, "李四,lisi,13912345678,客服,阳光花园", ""},
		{"staff by estate code", "staff", staff, "李四,lisi,,finance,SG", ""},
		{"staff role above", "staff", staff, "李四,lisi,,项目经理,阳光花园", "角色: 您无权设置项目经理角色"},
		{"staff admin", "staff", staff, "李四,lisi,,公司管理员,阳光花园", "角色"},
		{"staff other estate", "staff", staff, "李四,lisi,,客服,别的小区", "所属小区"},
		{"staff username taken", "staff", staff, "李四,taken,,客服,阳光花园", "用户名: 用户名已被其他小区"},
		{"staff manager untouchable", "staff", staff, "李四,manager,,客服,阳光花园", "用户名: 您无权修改该账号"},
		{"staff bad username", "staff", staff, "李四,李四,,客服,阳光花园", "用户名"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRow(t, tt.kind, tt.header, tt.row)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckFile(t *testing.T) {
	k := Kinds()["households"]
	header := []string{"楼栋", "房号", "入住日期", "姓名", "手机", "身份"}
	rows := [][]string{header,
		{"1栋", "101", "", "张三", "13812345678", "业主"},
		{},
		{"1栋", "101", "", "张三丰", "13812345678", "业主"},
		{"1栋", "101", "", "李四", "13912345678", "租户"},
	}
	got, err := k.Check(rows, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 3 || got.Valid != 2 || len(got.Rows) != 2 {
		t.Errorf("total %d valid %d rows %d, want 3, 2, 2", got.Total, got.Valid, len(got.Rows))
	}
	if len(got.Errors) != 1 || got.Errors[0].Row != 4 || !strings.Contains(got.Errors[0].Reason, "与第 2 行重复") {
		t.Errorf("errors: got %+v, want row 4 a duplicate of row 2", got.Errors)
	}
	if got.Rows[1].Row != 5 {
		t.Errorf("second good row: got row %d, want 5 (numbers as in the file)", got.Rows[1].Row)
	}
	_, err = k.Check([][]string{{"楼栋", "房号", "姓名"}, {"1栋"}}, testEnv())
	if err == nil || !strings.Contains(err.Error(), "缺少列 入住日期、手机、身份") {
		t.Errorf("wrong header: got %v, want the missing columns named", err)
	}
	if _, err := k.Check([][]string{header}, testEnv()); err == nil {
		t.Errorf("header only: got no error, want 文件没有数据行")
	}
}

func TestReadAll(t *testing.T) {
	const text = "楼栋,房号\n1栋,101\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := Template(Kinds()["units"], XLSX)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		give    []byte
		want    string // first cell of row 2, or the error
		wantErr bool
	}{
		{"utf-8", []byte(text), "1栋", false},
		{"utf-8 with BOM", []byte("\xef\xbb\xbf" + text), "1栋", false},
		{"gbk", []byte(gbk), "1栋", false},
		{"xlsx template", xlsx, "1栋", false},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "不是 xlsx 或 csv", true},
		{"empty", nil, "文件为空", true},
		{"broken zip", []byte("PK\x03\x04broken"), "不是有效的 xlsx", true},
		{"bad quotes", []byte("a,\"b\n"), "格式错误", true},
		{"undecodable", []byte("楼栋\n\xff\xfe\xfd\n"), "无法识别文件编码", true},
		{"too large", bytes.Repeat([]byte("a"), MaxFileSize+1), "超过 20 MB", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadAll(bytes.NewReader(tt.give))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error with %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 || rows[1][0] != tt.want {
				t.Errorf("got %q, want row 2 starting %q", rows, tt.want)
			}
		})
	}
}

func TestTemplatesPassTheirOwnCheck(t *testing.T) {
	for name, k := range Kinds() {
		for _, f := range []Format{XLSX, CSV} {
			b, err := Template(k, f)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := ReadAll(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %s: %v", name, f, err)
			}
			got, err := k.Check(rows, testEnv())
			if err != nil || got.Valid != 1 {
				t.Errorf("%s %s: got %+v, %v; want the example row valid", name, f, got.Errors, err)
			}
		}
	}
}
