package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// Column is one column of a kind's file: its Chinese header and the value
// of the template's example row.
type Column struct{ Header, Example string }

// Env is what a kind checks a row against: the estate's units and active
// households, the accounts the file names, the caller's authority and the
// date today.
type Env struct {
	Estate models.Estate
	Index  store.UnitIndex
	// Staff are the existing accounts among the file's usernames.
	Staff map[string]models.Staff
	// Manages reports whether the caller may give an account role r.
	Manages func(r models.Role) bool
	Today   models.Date
	// Standards are the estate's fee standards by name, with their
	// versions (read for fee_standards only).
	Standards map[string]models.FeeStandard
	// Readings are the values recorded for the file's periods (read for
	// meter_readings only).
	Readings map[models.ReadingKey]models.Quantity
}

// Kind is one entry of the registry: what a file of the kind holds and how
// its rows become records and reach the store.
type Kind struct {
	Name    string // the kind's code in the API: units, households …
	Label   string // its Chinese name
	Columns []Column
	// Roles may import the kind.
	Roles []models.Role
	// parse checks one row (its cells by header) and returns its record as
	// JSON and its business key; problems go to c.
	parse func(c *cells, env *Env) (data []byte, key string)
	// apply upserts a batch of rows' records by business key; rows that
	// cannot be applied any more are returned by index with the reason.
	apply func(ctx context.Context, a Applier, estateID uint64, data [][]byte) (map[int]string, error)
}

// Applier is what the kinds write through.
type Applier struct {
	Store *store.Store
	// By is the account that started the import (recorded as the creator of
	// fee standard versions and the recorder of meter readings).
	By *uint64
}

// LockedHash is the password hash of imported accounts: it is no bcrypt
// hash, so no password matches it; a manager resets the password (PATCH
// /staff/{id}) to give the account a one-time one.
const LockedHash = "!imported: reset the password to sign in"

// OpeningBalances is the kind whose applied rows are bills the households'
// collection processes are told of.
const OpeningBalances = "opening_balances"

// Apply upserts a batch of the kind's stored records (ImportRow.Data).
func (k *Kind) Apply(ctx context.Context, a Applier, estateID uint64, data [][]byte) (map[int]string, error) {
	return k.apply(ctx, a, estateID, data)
}

// entry builds a Kind whose records are R: parse returns the record and its
// key, apply receives the decoded records.
func entry[R any](name, label string, roles []models.Role, cols []Column,
	parse func(c *cells, env *Env) (R, string),
	apply func(ctx context.Context, a Applier, estateID uint64, recs []R) (map[int]string, error)) *Kind {
	return &Kind{Name: name, Label: label, Columns: cols, Roles: roles,
		parse: func(c *cells, env *Env) ([]byte, string) {
			rec, key := parse(c, env)
			if len(c.errs) > 0 {
				return nil, ""
			}
			b, err := json.Marshal(rec)
			if err != nil {
				c.fail("", "无法保存该行：%v", err)
			}
			return b, key
		},
		apply: func(ctx context.Context, a Applier, estateID uint64, data [][]byte) (map[int]string, error) {
			recs := make([]R, len(data))
			for i, d := range data {
				if err := json.Unmarshal(d, &recs[i]); err != nil {
					return nil, fmt.Errorf("%s import: decode row %d: %w", name, i, err)
				}
			}
			return apply(ctx, a, estateID, recs)
		},
	}
}

// Registry is the kinds of import by name. Adding a kind is one entry.
type Registry map[string]*Kind

// Kinds is the registry of every kind of import.
func Kinds() Registry {
	r := Registry{}
	for _, k := range []*Kind{unitsKind(), householdsKind(), openingBalancesKind(), staffKind(), feeStandardsKind(), meterReadingsKind()} {
		r[k.Name] = k
	}
	return r
}

// Names lists the kinds' names in order.
func (r Registry) Names() []string {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Checked is a file checked against a kind: the rows that passed with their
// records, and every problem of the rows that did not.
type Checked struct {
	Total  int                `json:"rows_total"`
	Valid  int                `json:"rows_valid"`
	Errors []models.RowError  `json:"errors"`
	Rows   []models.ImportRow `json:"-"`
}

// maxErrors bounds the problems listed for one file.
const maxErrors = 1000

// Check checks every row of a file (rows, the header first) against kind k:
// the header must name every column; blank rows are skipped; two rows with
// the same business key are both refused. A header problem is a FileError.
func (k *Kind) Check(rows [][]string, env *Env) (Checked, error) {
	var out Checked
	out.Errors = []models.RowError{}
	if len(rows) == 0 {
		return out, &FileError{Reason: "文件没有表头"}
	}
	at := map[string]int{}
	for i, h := range rows[0] {
		at[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, col := range k.Columns {
		if _, ok := at[col.Header]; !ok {
			missing = append(missing, col.Header)
		}
	}
	if len(missing) > 0 {
		return out, &FileError{Reason: fmt.Sprintf("表头不符合“%s”模板：缺少列 %s", k.Label, strings.Join(missing, "、"))}
	}
	firstRow := map[string]int{}
	for i, cellsOf := range rows[1:] {
		n := i + 2
		if blank(cellsOf) {
			continue
		}
		out.Total++
		c := &cells{row: n, at: at, vals: cellsOf}
		data, key := k.parse(c, env)
		if len(c.errs) == 0 {
			if first, dup := firstRow[key]; dup {
				c.fail("", "与第 %d 行重复（%s）", first, key)
			} else {
				firstRow[key] = n
			}
		}
		if len(c.errs) > 0 {
			if len(out.Errors) < maxErrors {
				out.Errors = append(out.Errors, c.errs...)
			}
			continue
		}
		out.Valid++
		out.Rows = append(out.Rows, models.ImportRow{Row: n, Data: string(data)})
	}
	if out.Total == 0 {
		return out, &FileError{Reason: "文件没有数据行"}
	}
	return out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// cells is one row being checked: its values by header, and its problems.
type cells struct {
	row  int
	at   map[string]int
	vals []string
	errs []models.RowError
}

// fail records a problem of column (the header; "" for the whole row).
func (c *cells) fail(column, format string, args ...any) {
	c.errs = append(c.errs, models.RowError{Row: c.row, Column: column, Reason: fmt.Sprintf(format, args...)})
}

// text is the value of column, at most max characters; required refuses "".
func (c *cells) text(column string, max int, required bool) string {
	i := c.at[column]
	v := ""
	if i < len(c.vals) {
		v = c.vals[i]
	}
	switch {
	case v == "" && required:
		c.fail(column, "不能为空")
	case len([]rune(v)) > max:
		c.fail(column, "超过 %d 个字", max)
	}
	return v
}

// date reads column as a date (2026-03-01, 2026/3/1) between from and to;
// "" is nil unless required.
func (c *cells) date(column string, required bool, from, to models.Date) *time.Time {
	v := c.text(column, 20, required)
	if v == "" {
		return nil
	}
	d, ok := parseDay(v)
	if !ok {
		c.fail(column, "日期 %q 无效：应为 2026-03-01 这样的日期", v)
		return nil
	}
	if d.DaysSince(from) < 0 || to.DaysSince(d) < 0 {
		c.fail(column, "日期 %s 应在 %s 至 %s 之间", v, fmtDate(from), fmtDate(to))
		return nil
	}
	t := models.DateTime(d)
	return &t
}

// parseDay reads 2026-03-01, 2026/3/1 or 2026.3.1.
func parseDay(s string) (models.Date, bool) {
	s = strings.NewReplacer("/", "-", ".", "-").Replace(s)
	for _, layout := range []string{"2006-01-02", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return models.DateOf(t, nil), true
		}
	}
	return models.Date{}, false
}

// period reads column as a period (账期, "2026-01") from 1990-01 to latest;
// "" is the zero Month unless required.
func (c *cells) period(column string, required bool, latest models.Month) models.Month {
	v := c.text(column, 7, required)
	if v == "" {
		return models.Month{}
	}
	var m models.Month
	switch {
	case m.UnmarshalText([]byte(v)) != nil:
		c.fail(column, "%s %q 无效：应为 2026-01 这样的年月", column, v)
	case m.String() < "1990-01" || m.String() > latest.String():
		c.fail(column, "%s %s 应在 1990-01 至 %s 之间", column, v, latest)
	default:
		return m
	}
	return models.Month{}
}

// thisMonth is the month of env's today.
func (env *Env) thisMonth() models.Month {
	return models.Month{Year: env.Today.Year, Month: env.Today.Month}
}

func fmtDate(d models.Date) string { return models.DateTime(d).Format("2006-01-02") }

// unit finds the unit the row's 楼栋 and 房号 name.
func (c *cells) unit(env *Env) uint64 {
	b, n := c.text(colBuilding, 50, true), c.text(colNumber, 20, true)
	if b == "" || n == "" {
		return 0
	}
	id, ok := env.Index.Units[store.UnitKey{Building: b, Number: n}]
	if !ok {
		c.fail(colNumber, "房屋 %s %s 不存在（请先导入房屋）", b, n)
	}
	return id
}

// LoadEnv reads what the rows of a file of kind k into estate e are checked
// against; manages is the caller's authority over roles.
func LoadEnv(ctx context.Context, s *store.Store, k *Kind, e models.Estate, rows [][]string, manages func(models.Role) bool, today models.Date) (*Env, error) {
	env := &Env{Estate: e, Manages: manages, Today: today, Staff: map[string]models.Staff{}}
	var err error
	if env.Index, err = s.ImportIndex(ctx, e.ID); err != nil {
		return nil, err
	}
	if k.Name == FeeStandards {
		stds, err := s.EstateFeeStandards(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		env.Standards = make(map[string]models.FeeStandard, len(stds))
		for _, std := range stds {
			env.Standards[std.Name] = std
		}
	}
	if k.Name == MeterReadings && len(rows) > 1 {
		if env.Readings, err = s.RecordedReadings(ctx, e.ID, columnValues(rows, "账期")); err != nil {
			return nil, err
		}
	}
	if k.Name == "staff" && len(rows) > 1 {
		if env.Staff, err = s.StaffEstates(ctx, columnValues(rows, "用户名")); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// columnValues lists the distinct non-empty values of the column headed
// header in rows (the header first).
func columnValues(rows [][]string, header string) []string {
	col := slices.Index(rows[0], header)
	seen := map[string]bool{}
	var out []string
	for _, r := range rows[1:] {
		if col >= 0 && col < len(r) && r[col] != "" && !seen[r[col]] {
			seen[r[col]] = true
			out = append(out, r[col])
		}
	}
	return out
}
