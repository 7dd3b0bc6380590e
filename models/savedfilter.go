package models

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// SavedFilter is the filters, search and order of one list saved under a
// name by one member of staff (保存的筛选), for that person alone.
type SavedFilter struct {
	ID      uint64 `gorm:"primaryKey" json:"id"`
	StaffID uint64 `gorm:"not null;uniqueIndex:idx_saved_filter_name,priority:1" json:"staff_id"`
	// List is the list it applies to (SavedFilterLists).
	List string `gorm:"size:16;not null;uniqueIndex:idx_saved_filter_name,priority:2" json:"list"`
	Name string `gorm:"size:50;not null;uniqueIndex:idx_saved_filter_name,priority:3" json:"name"`
	// Query is the list's query string ("status=new&sort=-reported_at"),
	// without page or cursor.
	Query     string    `gorm:"size:1000;not null" json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// SavedFilterLists are the lists filters may be saved for.
var SavedFilterLists = []string{"tickets", "follow_ups", "arrears"}

// Normalize checks a filter about to be saved and drops from its query
// what names a place in the list (page, cursor) rather than a filter.
func (f *SavedFilter) Normalize() error {
	f.Name = strings.TrimSpace(f.Name)
	if err := firstInvalid(
		expect(slices.Contains(SavedFilterLists, f.List), "list", "只能是：%s", strings.Join(SavedFilterLists, ", ")),
		expect(f.Name != "", "name", "请填写筛选名称"),
		checkMaxText("name", f.Name, 50),
		checkMaxText("query", f.Query, 1000),
	); err != nil {
		return err
	}
	v, err := url.ParseQuery(strings.TrimPrefix(f.Query, "?"))
	if err != nil {
		return Invalid("query", "不是有效的查询字符串")
	}
	for _, k := range []string{"page", "cursor", "format"} {
		v.Del(k)
	}
	f.Query = v.Encode()
	return nil
}
