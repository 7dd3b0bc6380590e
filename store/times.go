package store

import (
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/wuye/wuye/models"
)

// guardTimes refuses, before any create or update, a time the databases
// cannot read back (models.Storable): one bad row would otherwise make every
// list that holds it fail, on every later read. The API's date window keeps
// such values out; this is the floor under it.
func guardTimes(db *gorm.DB) error {
	check := func(tx *gorm.DB) {
		if tx.Error != nil || tx.Statement == nil {
			return
		}
		if err := storableTimes(tx.Statement); err != nil {
			_ = tx.AddError(err)
		}
	}
	if err := db.Callback().Create().Before("gorm:create").Register("wuye:storable_times", check); err != nil {
		return fmt.Errorf("register time guard: %w", err)
	}
	if err := db.Callback().Update().Before("gorm:update").Register("wuye:storable_times", check); err != nil {
		return fmt.Errorf("register time guard: %w", err)
	}
	return nil
}

// storableTimes checks the time values a statement is about to write: the
// time fields of its model (one or a slice), or the values of a column map.
func storableTimes(st *gorm.Statement) error {
	if m, ok := st.Dest.(map[string]any); ok {
		for col, v := range m {
			if err := storableValue(col, v); err != nil {
				return err
			}
		}
		return nil
	}
	if st.Schema == nil || !st.ReflectValue.IsValid() {
		return nil
	}
	var fields []*schema.Field
	for _, f := range st.Schema.Fields {
		if t := f.FieldType; t == timeType || t == timePtrType {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	rv := reflect.Indirect(st.ReflectValue)
	rows := []reflect.Value{rv}
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		rows = rows[:0]
		for i := range rv.Len() {
			rows = append(rows, reflect.Indirect(rv.Index(i)))
		}
	}
	for _, row := range rows {
		if row.Kind() != reflect.Struct {
			continue
		}
		for _, f := range fields {
			v, zero := f.ValueOf(st.Context, row)
			if zero {
				continue
			}
			if err := storableValue(f.DBName, v); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	timePtrType = reflect.TypeFor[*time.Time]()
)

func storableValue(column string, v any) error {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return nil
		}
		t = *x
	default:
		return nil
	}
	if !models.Storable(t) {
		return models.Invalid(column, "年份 %d 无效，应为 %d 至 %d 年", t.UTC().Year(), models.MinStoredYear, models.MaxStoredYear)
	}
	return nil
}

// utc returns t in UTC, nil for nil: the store writes every time in UTC.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
