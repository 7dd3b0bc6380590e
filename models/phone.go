package models

import (
	"net/mail"
	"regexp"
)

// phoneForms are the phone numbers a service desk writes down: a mainland
// mobile (13812345678, +8613812345678), a landline with its area code
// (0755-12345678, 075512345678, with an extension 0755-12345678-801), a
// 400/800 service line, or another country's number in E.164 (+85291234567).
var phoneForms = regexp.MustCompile(`^(?:` +
	`(?:\+86)?1[3-9][0-9]{9}` +
	`|0[1-9][0-9]{1,2}-?[0-9]{7,8}(?:-[0-9]{1,6})?` +
	`|[48]00-?[0-9]{3}-?[0-9]{4}` +
	`|\+[1-9][0-9]{6,14}` +
	`)$`)

// ValidPhone reports whether s is a phone number in one of the forms a
// resident or staff member can be called on.
func ValidPhone(s string) bool { return phoneForms.MatchString(s) }

// CheckPhone is a ValidationError on field unless phone is a ValidPhone.
func CheckPhone(field, phone string) error {
	if !ValidPhone(phone) {
		return Invalid(field, "应为手机号（如 13812345678）或座机号（如 0755-12345678）")
	}
	return nil
}

// CheckEmail reports whether addr is a bare email address (name@example.com,
// without a display name), as the email channel needs; empty is refused
// too, so callers check only the addresses given.
func CheckEmail(field, addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || len(addr) > MaxEmailLen {
		return Invalid(field, "“%s”无效，应为电子邮箱地址，如 name@example.com", addr)
	}
	return nil
}

// MaxEmailLen is the longest email address kept (RFC 5321's path limit).
const MaxEmailLen = 254
