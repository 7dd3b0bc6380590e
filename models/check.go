package models

import "unicode/utf8"

// firstInvalid returns the first of errs that is not nil: a validation
// lists its checks in the order they are reported.
func firstInvalid(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// expect returns Invalid(field, format, args...) unless ok.
func expect(ok bool, field, format string, args ...any) error {
	if ok {
		return nil
	}
	return Invalid(field, format, args...)
}

// checkText requires 1 to max characters in s.
func checkText(field, s string, max int) error {
	return expect(s != "" && utf8.RuneCountInString(s) <= max, field, "应为 1 至 %d 个字", max)
}

// checkMaxText allows s to be empty, and at most max characters long.
func checkMaxText(field, s string, max int) error {
	return expect(utf8.RuneCountInString(s) <= max, field, "不能超过 %d 个字", max)
}
