package models

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestUppercaseYuan(t *testing.T) {
	tests := []struct {
		give Money
		want string
	}{
		{0, "零元整"},
		{30000, "叁佰元整"},
		{123456, "壹仟贰佰叁拾肆元伍角陆分"},
		{50, "伍角整"},
		{56, "伍角陆分"},
		{5, "伍分"},
		{100, "壹元整"},
		{1000, "壹拾元整"},
		{10050, "壹佰元伍角整"},
		{10005, "壹佰元零伍分"},
		{10500, "壹佰零伍元整"},
		{11000, "壹佰壹拾元整"},
		{100100, "壹仟零壹元整"},
		{168032, "壹仟陆佰捌拾元叁角贰分"},
		{1001000, "壹万零壹拾元整"},
		{10000000, "壹拾万元整"},
		{10700053, "壹拾万柒仟元伍角叁分"},
		{100000100, "壹佰万零壹元整"},
		{100010000, "壹佰万零壹佰元整"},
		{100100000, "壹佰万壹仟元整"},
		{10000000000, "壹亿元整"},
		{10000000100, "壹亿零壹元整"},
		{10100000000, "壹亿零壹佰万元整"},
		{12345678900, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"},
		{100000000000000, "壹万亿元整"},
		{-30000, "负叁佰元整"},
		{math.MaxInt64, "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"}, // 亿亿 above 10¹⁶,
	}
	for _, tt := range tests {
		if got := UppercaseYuan(tt.give); got != tt.want {
			t.Errorf("UppercaseYuan(%d): got %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestDemandLetterContent(t *testing.T) {
	fees := DefaultPolicy().Fees
	jan, feb := Month{Year: 2026, Month: 1}, Month{Year: 2026, Month: 2}
	bills := []Bill{
		{ID: 1, Period: jan, Due: BillDueDate(jan, fees), Principal: 30000},
		{ID: 2, Period: feb, Due: BillDueDate(feb, fees), Principal: 30000},
	}
	acc := Statement(bills, []Payment{{ID: 1, Amount: 30000, Paid: d(2026, 1, 20)}}, d(2026, 6, 1), fees)
	estate := Estate{Name: "阳光花园", Address: "杭州市西湖区文三路1号", ServicePhone: "0571-88886666"}
	c := NewDemandLetterContent(LetterFacts{Estate: estate, Addressee: "张三", Address: "1栋 101", Account: acc,
		IssuedOn: d(2026, 6, 1), Period: 30 * 24 * time.Hour})
	if len(c.Lines) != 1 || c.Lines[0].Period != "2026年2月" || c.Lines[0].OutstandingFen != acc.Total {
		t.Fatalf("lines: got %+v, want the February bill owing %d", c.Lines, acc.Total)
	}
	if c.TotalInWords != UppercaseYuan(acc.Total) || c.TotalFen != acc.Total {
		t.Errorf("total: got %d %q, want %d in words", c.TotalFen, c.TotalInWords, acc.Total)
	}
	if c.ReplyDays != 30 || c.PayBy != d(2026, 7, 1) {
		t.Errorf("period: got %d days to %s, want 30 days to 2026-07-01", c.ReplyDays, c.PayBy)
	}
	if c.Company != "阳光花园物业服务中心" || c.Seal != "阳光花园物业服务中心（盖章）" || c.CompanyAddress != estate.Address {
		t.Errorf("letterhead: got %q %q %q", c.Company, c.Seal, c.CompanyAddress)
	}
	if got, want := c.Salutation(), "张三（阳光花园 1栋 101）业主/住户"; got != want {
		t.Errorf("salutation: got %q, want %q", got, want)
	}
	text := c.Text()
	for _, want := range []string{"催缴函", "张三", "2026年2月", "第九百四十四条", "物业服务合同", "30日内", c.TotalInWords, "（盖章）", "2026-06-01", "0571-88886666"} {
		if !strings.Contains(text, want) {
			t.Errorf("text: got %q, want it to contain %q", text, want)
		}
	}
	for _, w := range []string{"起诉", "诉讼", "断水", "断电", "停水", "停电", "法院", "曝光", "律师", "黑名单", "征信", "后果", "追究", "强制"} {
		if strings.Contains(text, w) {
			t.Errorf("letter contains %q", w)
		}
	}
	anon := NewDemandLetterContent(LetterFacts{Estate: estate, Address: "1栋 101", Account: acc, IssuedOn: d(2026, 6, 1), Period: 36 * time.Hour})
	if anon.ReplyDays != 2 || anon.PayBy != d(2026, 6, 3) {
		t.Errorf("a day and a half: got %d days to %s, want 2 days to 2026-06-03", anon.ReplyDays, anon.PayBy)
	}
	if got, want := anon.Salutation(), "阳光花园 1栋 101业主/住户"; got != want {
		t.Errorf("no addressee: got %q, want %q", got, want)
	}
}

func TestCheckService(t *testing.T) {
	issued, today := d(2026, 6, 1), d(2026, 6, 10)
	tests := []struct {
		name      string
		method    DeliveryMethod
		tracking  string
		proof     string
		servedOn  Date
		wantField string
	}{
		{"in person on issue day", DeliveryInPerson, "", "", issued, ""},
		{"post with tracking today", DeliveryPost, "SF1234567890", "", today, ""},
		{"posting with photo", DeliveryPosting, "", "IMG_0412.jpg", d(2026, 6, 5), ""},
		{"unknown method", "fax", "", "", today, "delivery_method"},
		{"post without tracking", DeliveryPost, "  ", "", today, "tracking_no"},
		{"posting without proof", DeliveryPosting, "", "", today, "delivery_proof"},
		{"no date", DeliveryInPerson, "", "", Date{}, "served_on"},
		{"tomorrow", DeliveryInPerson, "", "", today.AddDays(1), "served_on"},
		{"before issue", DeliveryInPerson, "", "", issued.AddDays(-1), "served_on"},
		{"tracking too long", DeliveryPost, strings.Repeat("1", 65), "", today, "tracking_no"},
	}
	for _, tt := range tests {
		err := CheckService(tt.method, tt.tracking, tt.proof, tt.servedOn, issued, today)
		var got string
		if ve, ok := err.(*ValidationError); ok {
			got = ve.Field
			if strings.ContainsFunc(ve.Reason, func(r rune) bool { return r < 0x80 && r >= 'a' && r <= 'z' }) {
				t.Errorf("%s: reason %q, want it in Chinese", tt.name, ve.Reason)
			}
		} else if err != nil {
			t.Fatalf("%s: got %v, want a *ValidationError or none", tt.name, err)
		}
		if got != tt.wantField {
			t.Errorf("%s: got field %q, want %q", tt.name, got, tt.wantField)
		}
	}
}

func TestServedDate(t *testing.T) {
	issued := d(2026, 6, 1).In(time.UTC)
	served := d(2026, 6, 4).In(time.UTC)
	tests := []struct {
		name   string
		give   DemandLetter
		want   Date
		wantOK bool
	}{
		{"served when issued (older letters)", DemandLetter{ServedOn: issued}, d(2026, 6, 1), true},
		{"awaiting service", DemandLetter{ServedOn: issued, AwaitsService: true}, Date{}, false},
		{"service recorded", DemandLetter{ServedOn: issued, LetterService: LetterService{DeliveredOn: &served}}, d(2026, 6, 4), true},
	}
	for _, tt := range tests {
		got, ok := tt.give.ServedDate()
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: got %s %v, want %s %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}
