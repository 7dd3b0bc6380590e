package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/store"
)

// TestConsoleImportInABrowser: the kind list names fee standards and meter
// readings with a hint of what their import does; customer service checks a units file with a
// negative area on the import page: the dry run lists the bad row with its
// column and reason in Chinese and the apply button stays off. The
// corrected file passes, is applied, and the progress bar reaches 已完成
// with its units in the estate.
func TestConsoleImportInABrowser(t *testing.T) {
	a := startDemo(t)
	base := "http://" + a.Addr()
	dir := t.TempDir()
	const header = "楼栋,房号,楼层,建筑面积(㎡),物业类型,房屋状态\n"
	bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	if err := os.WriteFile(bad, []byte(header+"8栋,801,8,89.35,住宅,入住\n8栋,802,8,-12,商铺,空置\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(header+"8栋,801,8,89.35,住宅,入住\n8栋,802,8,12,商铺,空置\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, base) // 1366×768
	b.signIn("kefu", DemoPassword)
	b.open("#/finance/imports", "#import-file")
	if got := b.text("#import-templates"); !strings.Contains(got, "下载房屋模板") {
		t.Errorf("templates: got %q, want the units template link", got)
	}
	if got := eval[string](b, `document.querySelector('#import-hint').textContent`); got != "" {
		t.Errorf("units hint: got %q, want none", got)
	}
	for _, k := range []struct{ kind, template, hint string }{
		{"fee_standards", "下载收费标准模板", "0 为空置不收费"},
		{"meter_readings", "下载抄表读数模板", "标记为待复核"},
		{"units", "下载房屋模板", ""},
	} {
		eval[bool](b, `(() => { const s = document.querySelector('#import-kind'); s.value = '`+k.kind+`'; s.dispatchEvent(new Event('change')); return true; })()`)
		if got := b.text("#import-templates"); !strings.Contains(got, k.template) {
			t.Errorf("%s templates: got %q, want %s", k.kind, got, k.template)
		}
		if got := eval[string](b, `document.querySelector('#import-hint').textContent`); !strings.Contains(got, k.hint) || (k.hint == "") != (got == "") {
			t.Errorf("%s hint: got %q, want %q", k.kind, got, k.hint)
		}
	}
	b.do("check the bad file",
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#import-check")),
		chromedp.WaitVisible(chromedp.CSS("#import-errors")),
	)
	if got := b.text("#import-errors tbody"); !strings.Contains(got, "3") || !strings.Contains(got, "建筑面积(㎡)") || !strings.Contains(got, "无效") || latin.MatchString(got) {
		t.Errorf("dry-run report: got %q, want row 3, 建筑面积(㎡) and a Chinese reason", got)
	}
	if !eval[bool](b, `document.querySelector('#import-apply').disabled`) {
		t.Error("apply button: got enabled with a bad row, want disabled")
	}
	b.shot("import-dry-run-bad-row")

	b.do("check and apply the corrected file",
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{good}),
		chromedp.Click(chromedp.CSS("#import-check")),
		chromedp.WaitVisible(chromedp.CSS(`#import-report[data-ok="true"]`)),
		chromedp.Click(chromedp.CSS("#import-apply")),
		chromedp.WaitVisible(chromedp.CSS("#import-progress")),
	)
	b.within(time.Minute, "wait for the import to finish", chromedp.WaitVisible(chromedp.CSS(`#import-progress[data-status="done"]`)))
	if got := b.text("#import-counts"); !strings.Contains(got, "共 2 行，已导入 2 行，失败 0 行（100%）") {
		t.Errorf("progress: got %q, want 2 of 2 imported", got)
	}
	b.shot("import-done")
	ix, err := a.Store.ImportIndex(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Units[store.UnitKey{Building: "8栋", Number: "802"}] == 0 {
		t.Errorf("units of the demo estate: got no 8栋 802 after the import")
	}
}
