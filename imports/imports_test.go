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
		Standards: map[string]models.FeeStandard{
			"物业服务费": {ID: 31, EstateID: estateID, Name: "物业服务费", Method: models.PricePerArea, Versions: []models.FeeStandardVersion{
				{Version: 1, UnitPrice: 23500, PropertyTypes: []models.PropertyType{models.PropertyResidential, models.PropertyShop},
					VacantPercent: 70, ValidFrom: "2026-01"}}},
		},
		Readings: map[models.ReadingKey]models.Quantity{{UnitID: 11, Kind: models.MeterWater, Period: "2026-10"}: 100_000},
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
		fees       = "收费项目,计费方式,单价(元),适用物业类型,空置折扣(%),生效账期,截止账期,表类"
		readings   = "楼栋,房号,表类,账期,读数,抄表日期"
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
		{"fee ok", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,2026-01,,", ""},
		{"fee metered", "fee_standards", fees, "公摊水费,按读数,3.4567,住宅、商铺,0,2026-01,2026-12,水", ""},
		{"fee by codes", "fee_standards", fees, "车位管理费,per_space,80,parking,100%,2026-01,,", ""},
		{"fee types with semicolons", "fee_standards", fees, "办公服务费,按建筑面积,6.8,办公；商铺,,2026-03,,", ""},
		{"fee five decimals", "fee_standards", fees, "垃圾清运费,按户,2.34567,住宅,,2026-01,,", "单价(元): 单价（元） \"2.34567\" 无效"},
		{"fee negative price", "fee_standards", fees, "垃圾清运费,按户,-15,住宅,,2026-01,,", "单价(元): 单价不能为负"},
		{"fee price too high", "fee_standards", fees, "垃圾清运费,按户,100000.01,住宅,,2026-01,,", "超出上限"},
		{"fee no price", "fee_standards", fees, "垃圾清运费,按户,,住宅,,2026-01,,", "单价(元): 不能为空"},
		{"fee unknown type", "fee_standards", fees, "垃圾清运费,按户,15,住宅、别墅,,2026-01,,", "适用物业类型: 物业类型 \"别墅\" 无效"},
		{"fee repeated type", "fee_standards", fees, "垃圾清运费,按户,15,住宅、住宅,,2026-01,,", "物业类型 住宅 重复"},
		{"fee no type", "fee_standards", fees, "垃圾清运费,按户,15,,,2026-01,,", "适用物业类型: 不能为空"},
		{"fee bad method", "fee_standards", fees, "垃圾清运费,按人头,15,住宅,,2026-01,,", "计费方式: 计费方式 \"按人头\" 无效"},
		{"fee bad vacancy", "fee_standards", fees, "垃圾清运费,按户,15,住宅,120,2026-01,,", "空置折扣(%): 空置折扣 \"120\" 无效"},
		{"fee bad period", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,2026-13,,", "生效账期: 生效账期 \"2026-13\" 无效"},
		{"fee no period", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,,,", "生效账期: 不能为空"},
		{"fee period far ahead", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,2040-01,,", "生效账期: 生效账期 2040-01 应在 1990-01 至 2031-12 之间"},
		{"fee to before from", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,2026-01,2025-12,", "截止账期: 截止账期 2025-12 早于生效账期 2026-01"},
		{"fee metered without meter", "fee_standards", fees, "公摊水费,按读数,3.4567,住宅,,2026-01,,", "表类: 不能为空"},
		{"fee meter not metered", "fee_standards", fees, "垃圾清运费,按户,15,住宅,,2026-01,,水", "表类: 仅按读数计费的项目填写表类"},
		{"fee bad meter", "fee_standards", fees, "公摊暖气费,按读数,3,住宅,,2026-01,,暖气", "表类: 表类 \"暖气\" 无效"},
		{"fee same as current", "fee_standards", fees, "物业服务费,按面积,2.3500,商铺、住宅,70,2026-01,,", ""},
		{"fee new price later", "fee_standards", fees, "物业服务费,按面积,2.50,住宅、商铺,70,2026-07,,", ""},
		{"fee new price same start", "fee_standards", fees, "物业服务费,按面积,2.50,住宅、商铺,70,2026-01,,", "生效账期: 现行标准自 2026-01 起单价 2.3500 元：新价格的生效账期应晚于 2026-01"},
		{"fee other method", "fee_standards", fees, "物业服务费,按户,2.35,住宅、商铺,70,2026-01,,", "计费方式: 收费项目“物业服务费”的计费方式为按面积，不能改为按户"},
		{"reading ok", "meter_readings", readings, "1栋,101,水,2026-11,1234.567,2026-11-28", ""},
		{"reading by codes", "meter_readings", readings, "1栋,102,electricity,2026-12,0,", ""},
		{"reading meter suffix", "meter_readings", readings, "1栋,102,燃气表,2026-12,12,", ""},
		{"reading negative", "meter_readings", readings, "1栋,101,水,2026-11,-1,", "读数: 读数不能为负"},
		{"reading four decimals", "meter_readings", readings, "1栋,101,水,2026-11,1.2345,", "读数: 读数 \"1.2345\" 无效"},
		{"reading not a number", "meter_readings", readings, "1栋,101,水,2026-11,十二,", "读数: 读数 \"十二\" 无效"},
		{"reading no value", "meter_readings", readings, "1栋,101,水,2026-11,,", "读数: 不能为空"},
		{"reading unknown unit", "meter_readings", readings, "9栋,901,水,2026-11,12,", "房号: 房屋 9栋 901 不存在"},
		{"reading bad meter", "meter_readings", readings, "1栋,101,暖气,2026-11,12,", "表类: 表类 \"暖气\" 无效"},
		{"reading future period", "meter_readings", readings, "1栋,101,水,2027-01,12,", "账期: 账期 2027-01 应在 1990-01 至 2026-12 之间"},
		{"reading bad period", "meter_readings", readings, "1栋,101,水,2026/11,12,", "账期: 账期 \"2026/11\" 无效"},
		{"reading recorded again", "meter_readings", readings, "1栋,101,水,2026-10,100.000,", ""},
		{"reading recorded with another value", "meter_readings", readings, "1栋,101,水,2026-10,101.5,", "读数: 该房屋 2026-10 账期的水表已有读数 100.000，与本行的 101.500 不同"},
		{"reading another meter", "meter_readings", readings, "1栋,101,电,2026-10,101.5,", ""},
		{"reading future date", "meter_readings", readings, "1栋,101,水,2026-11,12,2026-12-07", "抄表日期: 日期 2026-12-07 应在"},
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

// Rows of the same business key in one file are refused after the first:
// a standard by item name, a reading by unit, meter and period.
func TestFeeKindsRefuseDuplicates(t *testing.T) {
	tests := []struct {
		kind  string
		rows  [][]string
		valid int
		want  string
	}{
		{"fee_standards", [][]string{
			{"收费项目", "计费方式", "单价(元)", "适用物业类型", "空置折扣(%)", "生效账期", "截止账期", "表类"},
			{"垃圾清运费", "按户", "15", "住宅", "", "2026-01", "", ""},
			{"垃圾清运费", "按户", "18", "住宅", "", "2026-07", "", ""},
			{"公摊电费", "按读数", "0.8", "住宅", "", "2026-01", "", "电"},
		}, 2, "与第 2 行重复（垃圾清运费）"},
		{"meter_readings", [][]string{
			{"楼栋", "房号", "表类", "账期", "读数", "抄表日期"},
			{"1栋", "101", "水", "2026-11", "12", ""},
			{"1栋", "101", "水表", "2026-11", "13", ""},
			{"1栋", "101", "电", "2026-11", "13", ""},
		}, 2, "与第 2 行重复（1栋 101 水 2026-11）"},
	}
	for _, tt := range tests {
		got, err := Kinds()[tt.kind].Check(tt.rows, testEnv())
		if err != nil {
			t.Fatal(err)
		}
		if got.Valid != tt.valid || len(got.Errors) != 1 || got.Errors[0].Row != 3 || got.Errors[0].Reason != tt.want {
			t.Errorf("%s: got %d valid, %+v; want %d and row 3 %q", tt.kind, got.Valid, got.Errors, tt.valid, tt.want)
		}
	}
}

// A fee standard's record: 空置折扣 empty is 100 (no discount), property
// types in the models' order, the price to 0.0001 yuan.
func TestFeeStandardRecord(t *testing.T) {
	k := Kinds()["fee_standards"]
	got, err := k.Check([][]string{
		{"收费项目", "计费方式", "单价(元)", "适用物业类型", "空置折扣(%)", "生效账期", "截止账期", "表类"},
		{" 垃圾清运费", "按户", "3.4567", "车位、住宅", "", "2026-01", "2026-12", ""},
		{"空置免收费", "按面积", "1", "住宅", "0", "2026-01", "", ""},
	}, testEnv())
	if err != nil || got.Valid != 2 {
		t.Fatalf("got %+v, %v; want both rows valid", got, err)
	}
	want := []string{
		`{"name":"垃圾清运费","method":"per_unit","unit_price":3.4567,"property_types":["residential","parking"],"vacant_percent":100,"valid_from":"2026-01","valid_to":"2026-12"}`,
		`{"name":"空置免收费","method":"per_area","unit_price":1.0000,"property_types":["residential"],"vacant_percent":0,"valid_from":"2026-01"}`,
	}
	for i, w := range want {
		if got.Rows[i].Data != w {
			t.Errorf("row %d: got %s, want %s", i, got.Rows[i].Data, w)
		}
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
