package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateNotice adds a community notice inside scope, scheduled for its
// publish time; its workflow then drives it.
func (s *Store) CreateNotice(ctx context.Context, scope Scope, n *models.Notice) error {
	n.PublishAt, n.ExpiresAt, n.Status = n.PublishAt.UTC(), n.ExpiresAt.UTC(), models.NoticeScheduled
	if n.Buildings == nil {
		n.Buildings = []string{}
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := refEstate(tx, scope, n.EstateID); err != nil {
			return err
		}
		return translate(tx.Create(n).Error)
	})
	if err != nil {
		return fmt.Errorf("create notice: %w", err)
	}
	return nil
}

// Notice reads one notice inside scope.
func (s *Store) Notice(ctx context.Context, scope Scope, id uint64) (models.Notice, error) {
	return scoped[models.Notice](s, ctx, scope, id, "notice")
}

// NoticeFilter narrows a notice list.
type NoticeFilter struct {
	EstateID uint64
	Status   models.NoticeStatus
}

// NoticeSorts are the orders of the notice list.
var NoticeSorts = SortKeys[models.Notice]{
	"id":         idKey(func(n models.Notice) uint64 { return n.ID }),
	"publish_at": {Column: "publish_at", Value: func(n models.Notice) any { return n.PublishAt }},
	"status":     {Column: "status", Value: func(n models.Notice) any { return n.Status }},
}

// Notices lists notices inside scope, by publish time by default.
func (s *Store) Notices(ctx context.Context, scope Scope, f NoticeFilter, page Page) (List[models.Notice], error) {
	out, err := sortedIn(s, ctx, scope, f.EstateID, page, NoticeSorts, Sort{Field: "publish_at"}, eq("status", f.Status))
	if err != nil {
		return out, fmt.Errorf("list notices: %w", err)
	}
	return out, nil
}

// NoticeEvents lists the history of a notice inside scope, oldest first.
func (s *Store) NoticeEvents(ctx context.Context, scope Scope, id uint64) ([]models.CaseEvent, error) {
	if _, err := s.Notice(ctx, scope, id); err != nil {
		return nil, err
	}
	return s.caseEvents(ctx, models.CaseRef{Kind: models.KindNotice, ID: id})
}

// NoticeChange is one transition of a notice.
type NoticeChange struct {
	NoticeID uint64
	Progress models.NoticeProgress
	Event    models.CaseEvent
}

// RecordNoticeChange writes the event and the notice's new progress in one
// transaction (recordChange).
func (s *Store) RecordNoticeChange(ctx context.Context, c NoticeChange) (bool, error) {
	p := c.Progress
	p.PublishedAt, p.ClosedAt = utc(p.PublishedAt), utc(p.ClosedAt)
	return s.recordChange(ctx, change{ref: models.CaseRef{Kind: models.KindNotice, ID: c.NoticeID},
		row: &models.Notice{NoticeProgress: p, UpdatedAt: s.now().UTC()}, revision: p.Revision, ev: c.Event})
}

// Addressee is one household a notice goes to, with its residents.
type Addressee struct {
	HouseholdID uint64
	ResidentIDs []uint64
}

// Audience reads the next batch of at most limit active households of an
// estate after household after, by ID, in buildings (empty: every
// building), each with its residents; an empty batch ends the audience.
func (s *Store) Audience(ctx context.Context, estateID uint64, buildings []string, after uint64, limit int) ([]Addressee, error) {
	q := householdQuery(s.db.WithContext(ctx), AllEstates()).
		Where("households.estate_id = ? AND households.status = ? AND households.id > ?", estateID, models.HouseholdActive, after)
	if len(buildings) > 0 {
		q = q.Where("buildings.name IN ?", buildings)
	}
	var hs []models.Household
	if err := q.Order("households.id").Limit(limit).Find(&hs).Error; err != nil {
		return nil, fmt.Errorf("audience of estate %d: %w", estateID, translate(err))
	}
	out := make([]Addressee, len(hs))
	ids := make([]uint64, len(hs))
	at := map[uint64]int{}
	for i, h := range hs {
		out[i], ids[i], at[h.ID] = Addressee{HouseholdID: h.ID, ResidentIDs: []uint64{}}, h.ID, i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rs []models.Resident
	if err := s.db.WithContext(ctx).Select("id", "household_id").Where("household_id IN ?", ids).Order("id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("audience of estate %d: %w", estateID, translate(err))
	}
	for _, r := range rs {
		out[at[r.HouseholdID]].ResidentIDs = append(out[at[r.HouseholdID]].ResidentIDs, r.ID)
	}
	return out, nil
}

// NoticesSince counts, for each of residents, the messages of template
// sent to them since since (created, whatever their delivery): what the
// daily cap of ordinary notices counts. Messages of the notice ref
// itself are left out, so that a retried batch counts as before.
func (s *Store) NoticesSince(ctx context.Context, residents []uint64, template, ref string, since time.Time) (map[uint64]int, error) {
	var rows []struct {
		RecipientID uint64
		N           int
	}
	err := s.db.WithContext(ctx).Model(&models.Message{}).Select("recipient_id, COUNT(*) AS n").
		Where("recipient_kind = ? AND recipient_id IN ? AND template = ? AND ref <> ? AND created_at >= ?",
			models.RecipientResident, append(residents, 0), template, ref, since.UTC()).
		Group("recipient_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("notices since %s: %w", since.Format(time.RFC3339), translate(err))
	}
	out := map[uint64]int{}
	for _, r := range rows {
		out[r.RecipientID] = r.N
	}
	return out, nil
}

// RefCounts are how the messages of one ref stand: made, sent, delivered
// (a gateway's receipt by some channel) and read.
type RefCounts struct {
	Messages  int64 `json:"messages"`
	Sent      int64 `json:"sent"`
	Delivered int64 `json:"delivered"`
	Read      int64 `json:"read"`
}

// MessageCounts counts the messages of ref ("notice:4", "outage:2").
func (s *Store) MessageCounts(ctx context.Context, ref string) (RefCounts, error) {
	var c RefCounts
	db := s.db.WithContext(ctx)
	err := db.Model(&models.Message{}).Select(
		"COUNT(*) AS messages, COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS sent, "+
			"COALESCE(SUM(CASE WHEN read_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS `read`", models.MessageSent).
		Where("ref = ?", ref).Scan(&c).Error
	if err == nil {
		err = db.Model(&models.MessageDelivery{}).
			Where("status = ? AND message_id IN (?)", models.DeliveryDelivered,
				db.Model(&models.Message{}).Select("id").Where("ref = ?", ref)).
			Distinct("message_id").Count(&c.Delivered).Error
	}
	if err != nil {
		return RefCounts{}, fmt.Errorf("message counts of %s: %w", ref, translate(err))
	}
	return c, nil
}
