package api

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/wuye/wuye/models"
)

// checkValues walks a decoded request body and refuses, naming the field by
// its JSON path, what no handler may pass on to the store or a workflow:
//   - a time, date or month outside the date window around now
//     (models.DateWindowYears);
//   - a whole number above the largest ID the databases hold (2^63−1);
//   - text with control characters or bidirectional overrides (U+202E and
//     its kin), which make names and notes display as something else.
//
// Field-specific rules (a payment not in the future, an appointment within
// the policy's horizon) come on top, in the handlers and in models.
func checkValues(v reflect.Value, path string, now time.Time) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkValues(v.Elem(), path, now)
	case reflect.Uint, reflect.Uint64:
		if v.Uint() > math.MaxInt64 {
			return models.Invalid(path, "当前为 %d，不能超过 %d", v.Uint(), int64(math.MaxInt64))
		}
	case reflect.String:
		return checkText(path, v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkValues(v.Index(i), fmt.Sprintf("%s[%d]", path, i), now); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		for _, k := range keys {
			p := joinPath(path, fmt.Sprint(k))
			if err := checkText(p, fmt.Sprint(k)); err != nil {
				return err
			}
			if err := checkValues(v.MapIndex(k), p, now); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return checkStruct(v, path, now)
	}
	return nil
}

func checkStruct(v reflect.Value, path string, now time.Time) error {
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return models.CheckTime(path, x, now)
	case models.Date:
		if x.IsZero() {
			return nil
		}
		return models.CheckDate(path, x, now)
	case models.Month:
		if x == (models.Month{}) {
			return nil
		}
		return models.CheckMonth(path, x, now)
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		p := path
		switch {
		case name != "":
			p = joinPath(path, name)
		case !f.Anonymous:
			p = joinPath(path, f.Name)
		}
		if err := checkValues(v.Field(i), p, now); err != nil {
			return err
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkText refuses control characters other than tab and line breaks, and
// the bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069),
// which reorder what staff and residents see.
func checkText(path, s string) error {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r):
			return models.Invalid(path, "含有不允许的控制字符 U+%04X", r)
		case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			return models.Invalid(path, "含有不允许的文字方向字符 U+%04X", r)
		}
	}
	return nil
}
