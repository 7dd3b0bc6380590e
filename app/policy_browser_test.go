package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsolePolicyEditorInABrowser: an estate manager edits the policy in
// the units staff use (durations as a number and 分钟/小时/天, amounts in
// 元, templates by name), the API stores the durations and fen they mean,
// and every refusal, the page's own or the server's, is in Chinese beside
// the field it names; at 1366×768 and on a 375 px phone.
func TestConsolePolicyEditorInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, _ := estateWithStaff(t, a, "POL", func(*models.Policy) {})
	manager := as[models.RoleEstateManager]
	policyPath := fmt.Sprintf("/api/v1/estates/%d/policy", estateID)
	stored := func() models.EstatePolicy {
		var pol models.EstatePolicy
		manager.mustCall(http.MethodGet, policyPath, nil, &pol, http.StatusOK)
		return pol
	}
	before := stored()

	b := newBrowser(t, base)
	b.signIn("POL-estate_manager", "staff-password")
	contact := `[data-path="policy.repair.tiers[0].contact"]`
	b.do("open the policy editor", chromedp.Navigate(base+"/console/#/policy"), chromedp.WaitVisible(chromedp.CSS(contact)))

	// Nothing in developer notation: no "5m", no "300000 分", no codes.
	notation := eval[[]string](b, `(() => {
		const f = document.getElementById('policy-form');
		const shown = [...f.querySelectorAll('input, select, textarea')].filter((e) => e.type !== 'checkbox')
			.map((e) => e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}).textContent || '' : e.value);
		return [f.innerText, ...shown].filter((s) => /\b\d+(?:[smhd]|ms)\b|\d\s*分(?![钟及])|payment_overdue|_fen\b|[a-z]+_[a-z]+/.test(s))
			.map((s) => s.slice(0, 200));
	})()`)
	if len(notation) != 0 {
		t.Errorf("policy page: got developer notation in %q, want none", notation)
	}
	for sel, want := range map[string]string{
		contact: "5",
		`[data-path="policy.complaint.acknowledge"]`:     "30",
		`[data-path="policy.dunning.large_arrears_fen"]`: "3000.00",
	} {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).value`, sel)); got != want {
			t.Errorf("%s: got %q, want %q", sel, got, want)
		}
	}
	for sel, want := range map[string]string{
		contact: "分钟",
		`[data-path="policy.repair.confirm_window"]`: "天",
	} {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).closest('.dur').querySelector('select').selectedOptions[0].textContent`, sel)); got != want {
			t.Errorf("%s unit: got %q, want %q", sel, got, want)
		}
	}
	if got := eval[string](b, `document.querySelector('[data-path="policy.dunning.steps[0].template"]').selectedOptions[0].textContent`); got != "逾期温馨提醒" {
		t.Errorf("first dunning step's template: got %q, want 逾期温馨提醒", got)
	}
	b.shot("policy-1366")

	// The page refuses an amount finer than the fen, or over the maximum,
	// beside the field, and sends nothing.
	arrears := `[data-path="policy.dunning.large_arrears_fen"]`
	for _, tt := range []struct{ give, want string }{
		{"12.345", "两位小数"},
		{"20000000", "不能超过"},
	} {
		typeInto(b, arrears, tt.give)
		b.do("save "+tt.give+" 元", chromedp.Click(chromedp.CSS(`#policy-form .save button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.err[data-for="policy.dunning.large_arrears_fen"]`)))
		if got := b.text(`.err[data-for="policy.dunning.large_arrears_fen"]`); !strings.Contains(got, tt.want) {
			t.Errorf("amount %s 元: got %q beside the field, want %s", tt.give, got, tt.want)
		}
		if !errorBesideField(b, "policy.dunning.large_arrears_fen") {
			t.Errorf("amount %s 元: got the message away from its input, want it beside the field", tt.give)
		}
	}
	if got := stored(); got.Version != before.Version {
		t.Errorf("after refused amounts: got version %d, want %d: nothing sent", got.Version, before.Version)
	}

	// A duration through number and unit, an amount in 元: saved as the API's
	// duration strings and fen.
	typeInto(b, `[data-path="policy.complaint.acknowledge"]`, "2")
	pickUnit(b, `[data-path="policy.complaint.acknowledge"]`, "h")
	typeInto(b, `[data-path="policy.repair.confirm_window"]`, "36")
	pickUnit(b, `[data-path="policy.repair.confirm_window"]`, "h")
	typeInto(b, arrears, "4567.89")
	b.do("save the policy", chromedp.Click(chromedp.CSS(`#policy-form .save button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#toast:not([hidden])`)))
	after := stored()
	if after.Version != before.Version+1 {
		t.Errorf("after saving: got version %d, want %d", after.Version, before.Version+1)
	}
	raw, err := json.Marshal(after.Policy)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"acknowledge":"2h"`, `"confirm_window":"1d12h"`, `"large_arrears_fen":456789`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("stored policy: got %s, want %s", raw, want)
		}
	}
	if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).value`, arrears)); got != "4567.89" {
		t.Errorf("amount after saving: got %q, want 4567.89", got)
	}

	// The server's refusal, in Chinese, beside the field it names.
	typeInto(b, contact, "20")
	b.do("make a contact window longer than on-site", chromedp.Click(chromedp.CSS(`#policy-form .save button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.err[data-for="policy.repair.tiers[0].contact"]`)))
	msg := b.text(`.err[data-for="policy.repair.tiers[0].contact"]`)
	if !strings.Contains(msg, "不能超过") || !strings.Contains(msg, "10分钟") || latinLetter.MatchString(msg) {
		t.Errorf("contact longer than on-site: got %q beside the field, want it in Chinese with 10分钟", msg)
	}
	if !errorBesideField(b, "policy.repair.tiers[0].contact") {
		t.Error("contact longer than on-site: got the message away from its input, want it beside the field")
	}
	if n := b.count(`#policy-form .banner.error`); n != 0 {
		t.Errorf("contact longer than on-site: got %d banners, want the message beside the field only", n)
	}

	// A field the page has no input for (a server newer than the page):
	// a banner that names its section in Chinese.
	eval[bool](b, `(() => {
		const real = window.fetch;
		window.fetch = (url, opts) => opts && opts.method === 'PUT'
			? Promise.resolve(new Response(JSON.stringify({error: {code: 'invalid_input', field: 'policy.dunning.new_rule', message: 'got 3, want 1..2'}}), {status: 400}))
			: real(url, opts);
		return true;
	})()`)
	b.do("save against a rule the page does not know", chromedp.Click(chromedp.CSS(`#policy-form .save button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#policy-form .banner.error`)))
	if got := b.text(`#policy-form .banner.error`); !strings.HasPrefix(got, "催缴阶梯") || !strings.Contains(got, "应在 1 到 2 之间") || latinLetter.MatchString(got) {
		t.Errorf("an error on an unknown field: got banner %q, want it in Chinese under 催缴阶梯", got)
	}
	b.do("reload without the stand-in", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(contact)))

	// A dunning step offers only the channel and template its action may use.
	typeInto(b, `[data-path="policy.dunning.steps[0].action"]`, "phone_call")
	step := eval[string](b, `(() => {
		const sel = (c) => document.querySelector('[data-path="policy.dunning.steps[0].' + c + '"]');
		return [...sel('channel').options].map((o) => o.textContent).join(',') + ' ' + sel('template').selectedOptions[0].textContent + ' ' + sel('template').disabled;
	})()`)
	if step != "电话 无 true" {
		t.Errorf("a step turned into a phone call: got channels, template and its lock %q, want 电话 无 true", step)
	}

	// Every reason the policy's validation gives reads in Chinese, as does
	// the API's answer to a duration it cannot read.
	reasons := policyReasons()
	raw, err = json.Marshal(map[string]any{"version": after.Version, "policy": after.Policy})
	if err != nil {
		t.Fatal(err)
	}
	var body policyPutError
	status := manager.call(http.MethodPut, policyPath, json.RawMessage(bytes.Replace(raw, []byte(`"contact":"5m"`), []byte(`"contact":"5分钟"`), 1)), &body)
	if status != http.StatusBadRequest || body.Error.Field != "policy.repair.tiers[0].contact" {
		t.Errorf("contact of 5分钟: got %d on %q, want 400 on policy.repair.tiers[0].contact", status, body.Error.Field)
	}
	reasons = append(reasons, body.Error.Message)
	list, err := json.Marshal(reasons)
	if err != nil {
		t.Fatal(err)
	}
	translated := eval[[]string](b, fmt.Sprintf(`import('/console/js/labels.js').then((m) => %s.map((r) => m.reason(r)))`, list))
	for i, r := range translated {
		// What the person typed comes back quotedValue, as typed.
		if latinLetter.MatchString(quotedValue.ReplaceAllString(strings.ReplaceAll(r, "App", ""), "")) {
			t.Errorf("reason %q: got %q, want Chinese", reasons[i], r)
		}
	}
	if len(reasons) < 30 {
		t.Errorf("policy reasons: got %d, want the many the validation gives", len(reasons))
	}

	// On a phone: every field fits, nothing scrolls sideways.
	b.do("open the editor on a phone",
		chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(contact)),
	)
	if w := eval[int](b, "document.documentElement.scrollWidth"); w > 380 {
		t.Errorf("policy page at 375px: got a page %dpx wide, want no horizontal scrolling", w)
	}
	b.shot("policy-375")
	b.do("back to desktop width", chromedp.EmulateViewport(1366, 768))
}

// latinLetter matches developer notation left in a message: English
// words, codes, "30d".
var latinLetter = regexp.MustCompile(`[A-Za-z]`)

// quotedValue matches a value quoted back in a Chinese message.
var quotedValue = regexp.MustCompile(`“[^”]*”`)

// typeInto sets the value of the input sel and fires change, as a person
// leaving the field does.
func typeInto(b *browser, sel, value string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, value))
}

// pickUnit picks the unit ("m", "h", "d") of the duration whose number is sel.
func pickUnit(b *browser, sel, unit string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q).closest('.dur').querySelector('select'); e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, unit))
}

// errorBesideField reports whether the error for path sits in the same
// cell or field as its input.
func errorBesideField(b *browser, path string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`document.querySelector('.err[data-for=%q]').parentElement.contains(document.querySelector('[data-path=%q]'))`, path, path))
}

// policyPutError is the error body of a refused PUT.
type policyPutError struct {
	Error struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

// policyReasons collects the distinct reasons models.Policy.Validate gives
// when each value of the default policy in turn is set to a few bad ones
// (and each list emptied or given its first entry again).
func policyReasons() []string {
	var reasons []string
	try := func(mutate func(v reflect.Value), at []int) {
		p := models.DefaultPolicy()
		v := reflect.ValueOf(&p).Elem()
		for _, i := range at {
			if v.Kind() == reflect.Slice {
				v = v.Index(i)
			} else {
				v = v.Field(i)
			}
		}
		mutate(v)
		var ve *models.ValidationError
		if err := p.Validate(); err != nil && errors.As(err, &ve) && !slices.Contains(reasons, ve.Reason) {
			reasons = append(reasons, ve.Reason)
		}
	}
	ints := []int64{-1, 0, 1, 2, 5, 101, int64(59 * time.Minute), int64(400 * models.Day), 1 << 40}
	strs := []string{"", "x", "25:00", "07:00", "18:00", "2100-01-01", "sms", "letter", "phone", "payment_overdue_polite", "late_fee_first", "critical", "message", "legal_referral"}
	var walk func(v reflect.Value, at []int)
	walk = func(v reflect.Value, at []int) {
		here := slices.Clone(at)
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), append(here, i))
			}
		case reflect.Slice:
			try(func(s reflect.Value) { s.Set(reflect.Zero(s.Type())) }, here)
			if v.Len() > 0 {
				try(func(s reflect.Value) { s.Set(reflect.Append(s, s.Index(0))) }, here)
				try(func(s reflect.Value) { s.Set(reflect.Append(s.Slice(0, 1), s.Index(0))) }, here)
			}
			for i := range v.Len() {
				walk(v.Index(i), append(here, i))
			}
		case reflect.Int, reflect.Int64:
			for _, n := range ints {
				try(func(f reflect.Value) { f.SetInt(n) }, here)
			}
		case reflect.String:
			for _, s := range strs {
				try(func(f reflect.Value) { f.SetString(s) }, here)
			}
		case reflect.Bool:
			try(func(f reflect.Value) { f.SetBool(!f.Bool()) }, here)
		}
	}
	p := models.DefaultPolicy()
	walk(reflect.ValueOf(&p).Elem(), nil)
	return reasons
}
