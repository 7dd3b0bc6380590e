package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// dbTarget is the service's app database.
type dbTarget struct {
	driver string // store.SQLite or store.MySQL
	dsn    string // file path or MySQL DSN
}

// open opens the database with the store's own settings (pragmas, time
// format) and a GORM handle on the same pool for batched inserts.
func (d dbTarget) open(ctx context.Context) (*store.Store, *gorm.DB, error) {
	s, err := store.Open(ctx, store.Options{Driver: d.driver, DSN: d.dsn, MaxOpen: 4, MaxLifetime: time.Minute,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, nil, err
	}
	pool, err := s.SQL()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	var dialector gorm.Dialector = sqlite.New(sqlite.Config{DriverName: "sqlite", Conn: pool})
	if d.driver == store.MySQL {
		dialector = mysql.New(mysql.Config{Conn: pool, SkipInitializeWithVersion: true})
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("gorm on the store's pool: %w", err)
	}
	return s, db, nil
}

// escalationEvents reads the level-1 escalation events of an estate.
func escalationEvents(ctx context.Context, db *gorm.DB, estateID uint64) ([]models.CaseEvent, error) {
	var evs []models.CaseEvent
	err := db.WithContext(ctx).Where("kind = ? AND estate_id = ? AND type = ?", models.KindTicket, estateID, "escalation").Find(&evs).Error
	out := evs[:0]
	for _, e := range evs {
		if e.Detail["level"] == "1" && e.Detail["due"] != "" {
			out = append(out, e)
		}
	}
	return out, err
}
