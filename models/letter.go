package models

import (
	"fmt"
	"strings"
	"time"
)

// UppercaseYuan writes m the way Chinese receipts and letters write amounts
// in words (大写): "壹仟贰佰叁拾肆元伍角陆分", "叁佰元整", "零元整". Runs of
// zeros inside the number read as one 零, none at the end of a group; the
// groups are 万 and 亿 (10¹² is 壹万亿); an amount with jiao but no fen ends
// in 角整, one with fen but no jiao reads 元零…分; below one yuan there is no
// 元 ("伍角陆分"). A negative amount begins with 负.
func UppercaseYuan(m Money) string {
	sign, whole, frac := m.parts()
	jiao, fen := frac[0]-'0', frac[1]-'0'
	var b strings.Builder
	if sign != "" {
		b.WriteString("负")
	}
	if whole > 0 {
		writeUpper(&b, whole)
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && fen == 0:
		if whole == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case fen == 0:
		b.WriteString(upperDigits[jiao] + "角整")
	case jiao == 0:
		if whole > 0 {
			b.WriteString("零")
		}
		b.WriteString(upperDigits[fen] + "分")
	default:
		b.WriteString(upperDigits[jiao] + "角" + upperDigits[fen] + "分")
	}
	return b.String()
}

var upperDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}

// writeUpper writes n > 0 in words: what stands above 亿 or 万 (itself in
// words, so that 10¹² is 壹万亿), the unit, then the rest with a 零 when it
// does not fill its places.
func writeUpper(b *strings.Builder, n uint64) {
	for _, g := range []struct {
		size uint64
		unit string
	}{{1e8, "亿"}, {1e4, "万"}} {
		if n < g.size {
			continue
		}
		writeUpper(b, n/g.size)
		b.WriteString(g.unit)
		rest := n % g.size
		if rest == 0 {
			return
		}
		if rest < g.size/10 {
			b.WriteString("零")
		}
		writeUpper(b, rest)
		return
	}
	units := [4]string{"仟", "佰", "拾", ""}
	started, zero := false, false
	for i, div := 0, uint64(1000); i < 4; i, div = i+1, div/10 {
		d := n / div % 10
		if d == 0 {
			zero = started
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		b.WriteString(upperDigits[d] + units[i])
		started = true
	}
}

// DemandLetterContent is everything a printed demand letter (催缴函) says,
// fixed on the day it is issued: the letterhead, the addressee, each unpaid
// bill, the total in figures and in words, the legal basis, the reply
// period and where the company signs and seals.
type DemandLetterContent struct {
	Title string `json:"title"`
	// Company is the letterhead and the signature over the seal.
	Company        string `json:"company"`
	CompanyAddress string `json:"company_address,omitempty"`
	ServicePhone   string `json:"service_phone,omitempty"`
	// Addressee is the owner or tenant by name ("" when none is on file:
	// the letter is then addressed to the unit's 业主/住户).
	Addressee string       `json:"addressee"`
	Address   string       `json:"address"`
	AsOf      Date         `json:"as_of"`
	Lines     []LetterLine `json:"lines"`
	TotalFen  Money        `json:"total_fen"`
	// TotalInWords is TotalFen in words (UppercaseYuan).
	TotalInWords string   `json:"total_in_words"`
	LegalBasis   []string `json:"legal_basis"`
	// ReplyDays is the reasonable period (Civil Code Art. 944) the
	// letter gives, counted from its service; PayBy is its last day if
	// the letter is served on the day it is issued.
	ReplyDays int    `json:"reply_days"`
	PayBy     Date   `json:"pay_by"`
	Request   string `json:"request"`
	Seal      string `json:"seal"`
	IssuedOn  Date   `json:"issued_on"`
}

// LetterLine is one unpaid bill in a demand letter.
type LetterLine struct {
	Period         string `json:"period"`
	Due            Date   `json:"due"`
	PrincipalFen   Money  `json:"principal_fen"`
	PaidFen        Money  `json:"paid_fen"`
	LateFeeFen     Money  `json:"late_fee_fen"`
	OutstandingFen Money  `json:"outstanding_fen"`
}

// LetterFacts are the data a demand letter is written from.
type LetterFacts struct {
	Estate    Estate
	Addressee string
	Address   string // the household's address in the estate ("1栋 101")
	Account   Account
	IssuedOn  Date
	// Period is the reasonable period to pay (the policy's
	// Dunning.FormalNoticePeriod).
	Period time.Duration
}

// legalBasis is what the demand rests on: the contract and Civil Code Art.
// 944 (first paragraph), stated without any threat.
var legalBasis = []string{
	"《中华人民共和国民法典》第九百四十四条：业主应当按照约定向物业服务人支付物业费。物业服务人已经按照约定和有关规定提供服务的，业主不得以未接受或者无需接受相关物业服务为由拒绝支付物业费。",
	"《物业服务合同》关于物业服务费标准、缴纳期限及逾期付款的约定。",
}

// NewDemandLetterContent writes a demand letter from f: each bill still
// outstanding on f.IssuedOn, the total and the period to pay.
func NewDemandLetterContent(f LetterFacts) DemandLetterContent {
	days := int((f.Period + 24*time.Hour - 1) / (24 * time.Hour)) // a part of a day counts whole
	c := DemandLetterContent{
		Title: "物业服务费催缴函", Company: f.Estate.Name + "物业服务中心", CompanyAddress: f.Estate.Address,
		ServicePhone: f.Estate.ServicePhone, Addressee: f.Addressee, Address: strings.TrimSpace(f.Estate.Name + " " + f.Address),
		AsOf: f.IssuedOn, Lines: []LetterLine{}, TotalFen: f.Account.Total, TotalInWords: UppercaseYuan(f.Account.Total),
		LegalBasis: legalBasis, ReplyDays: days, PayBy: f.IssuedOn.AddDays(days), IssuedOn: f.IssuedOn,
		Seal: f.Estate.Name + "物业服务中心（盖章）",
	}
	for _, l := range f.Account.Lines {
		if l.Outstanding <= 0 {
			continue
		}
		c.Lines = append(c.Lines, LetterLine{Period: FormatPeriod(l.Period), Due: l.Due, PrincipalFen: l.Principal,
			PaidFen: l.PrincipalPaid + l.LateFeePaid, LateFeeFen: l.LateFee - l.LateFeeWaived, OutstandingFen: l.Outstanding})
	}
	c.Request = fmt.Sprintf("特函告知，请您自收到本函之日起%d日内缴纳上述费用。如您对费用有疑问，或确有经济困难，欢迎与我们联系协商分期等安排", days)
	if c.ServicePhone != "" {
		c.Request += "（服务中心电话" + c.ServicePhone + "）"
	}
	c.Request += "。"
	return c
}

// Salutation is how the letter addresses the household: "张三（1栋 101）业主/住户".
func (c DemandLetterContent) Salutation() string {
	if c.Addressee == "" {
		return c.Address + "业主/住户"
	}
	return c.Addressee + "（" + c.Address + "）业主/住户"
}

// Text is the letter as plain text, for the case's evidence and for
// letters read where no page prints them.
func (c DemandLetterContent) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n%s：\n\n", c.Company, c.Title, c.Salutation())
	fmt.Fprintf(&b, "截至%s，您尚有以下物业服务费未缴纳：\n", c.AsOf)
	for _, l := range c.Lines {
		fmt.Fprintf(&b, "  %s：应缴%s，已缴%s，滞纳金%s，到期日%s，尚欠%s\n", l.Period,
			l.PrincipalFen.Yuan(), l.PaidFen.Yuan(), l.LateFeeFen.Yuan(), l.Due, l.OutstandingFen.Yuan())
	}
	fmt.Fprintf(&b, "合计尚欠：%s元（大写：%s）。\n\n依据：\n", c.TotalFen.Yuan(), c.TotalInWords)
	for _, l := range c.LegalBasis {
		b.WriteString("  " + l + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n\n感谢您对物业服务工作的理解与支持。\n\n%s\n%s\n", c.Request, c.Seal, c.IssuedOn)
	return b.String()
}

// DeliveryMethod is how a demand letter was served (送达方式).
type DeliveryMethod string

// The delivery methods.
const (
	DeliveryInPerson DeliveryMethod = "in_person" // 上门送达, signed for
	DeliveryPost     DeliveryMethod = "post"      // 邮寄, with its tracking number
	DeliveryPosting  DeliveryMethod = "posting"   // 张贴 on the door, photographed
)

// DeliveryMethods lists the delivery methods.
func DeliveryMethods() []DeliveryMethod { return deliveryMethods.list() }

var deliveryMethods = enum[DeliveryMethod]{DeliveryInPerson, DeliveryPost, DeliveryPosting}

// Valid reports whether m is a known delivery method.
func (m DeliveryMethod) Valid() bool { return deliveryMethods.has(m) }

// LetterService records how and when a demand letter was served, and by whom.
type LetterService struct {
	DeliveryMethod DeliveryMethod `gorm:"size:16" json:"delivery_method,omitempty"`
	TrackingNo     string         `gorm:"size:64" json:"tracking_no,omitempty"`
	// DeliveryProof is the photo reference or note of a posted letter
	// (or a note on any other service).
	DeliveryProof string     `gorm:"size:500" json:"delivery_proof,omitempty"`
	DeliveredOn   *time.Time `json:"delivered_on,omitempty"` // civil date
	DeliveredBy   *uint64    `json:"delivered_by,omitempty"`
}

// Longest tracking number and proof a service record keeps.
const (
	maxTrackingNo = 64
	maxProof      = 500
)

// CheckService validates the service of a letter issued on issued, recorded
// on today (the estate's date): a known method, a tracking number for a
// letter sent by post, a photo reference or note for one posted on the door,
// and a served date from issued to today. Reasons are for staff (Chinese).
func CheckService(method DeliveryMethod, trackingNo, proof string, servedOn, issued, today Date) error {
	trackingNo, proof = strings.TrimSpace(trackingNo), strings.TrimSpace(proof)
	switch {
	case !method.Valid():
		return Invalid("delivery_method", "送达方式须为上门送达、邮寄或张贴")
	case method == DeliveryPost && trackingNo == "":
		return Invalid("tracking_no", "邮寄送达须填写快递单号")
	case len([]rune(trackingNo)) > maxTrackingNo:
		return Invalid("tracking_no", "快递单号不能超过%d个字符", maxTrackingNo)
	case method == DeliveryPosting && proof == "":
		return Invalid("delivery_proof", "张贴送达须填写照片编号或说明")
	case len([]rune(proof)) > maxProof:
		return Invalid("delivery_proof", "照片编号或说明不能超过%d个字符", maxProof)
	case servedOn.IsZero():
		return Invalid("served_on", "请填写送达日期")
	case servedOn.After(today):
		return Invalid("served_on", "送达日期不能晚于今天（%s）", today)
	case servedOn.Before(issued):
		return Invalid("served_on", "送达日期不能早于催缴函出具日期（%s）", issued)
	}
	return nil
}
