package activities

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/statement"
	"github.com/wuye/wuye/store"
)

// ReconcileStore is what the daily reconciliation reads and writes.
type ReconcileStore interface {
	Estates(ctx context.Context, scope store.Scope, page store.Page) (store.List[models.Estate], error)
	Estate(ctx context.Context, scope store.Scope, id uint64) (models.Estate, error)
	Reconcile(ctx context.Context, scope store.Scope, st store.Statement) (models.Reconciliation, bool, error)
}

// Reconciler holds the side effects of the daily reconciliation (对账):
// reading the statement files the payment providers' exports drop in Dir
// and comparing them with the recorded payments.
//
// Dir holds a folder per estate, named by the estate's code, and in it a
// file per channel and day: <Dir>/<estate code>/<channel>-<YYYY-MM-DD>.csv,
// e.g. data/recon/YGHY/wechat-2026-12-05.csv (channels wechat, alipay, bank,
// card; the day in the estate's zone; the format in models/reconcile.go).
type Reconciler struct {
	Store ReconcileStore
	Dir   string
	Log   *slog.Logger
}

// StatementChannels are the channels whose statements the folder may hold.
var StatementChannels = []models.PaymentChannel{models.PayWeChat, models.PayAlipay, models.PayBank, models.PayCard}

// ReconcileEstate is one estate the daily run reconciles.
type ReconcileEstate struct {
	EstateID uint64
	TimeZone string
}

// ReconcileEstates lists every estate with its time zone.
func (a *Reconciler) ReconcileEstates(ctx context.Context) ([]ReconcileEstate, error) {
	var out []ReconcileEstate
	for page := 1; ; page++ {
		l, err := a.Store.Estates(ctx, store.AllEstates(), store.Page{Number: page, Size: store.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, e := range l.Items {
			out = append(out, ReconcileEstate{EstateID: e.ID, TimeZone: e.TimeZone})
		}
		if len(l.Items) < store.MaxPageSize {
			return out, nil
		}
	}
}

// ReconcileFolderInput names an estate and a day (its civil date).
type ReconcileFolderInput struct {
	EstateID uint64
	Day      models.Date
}

// FolderFile is what became of one statement file of the folder.
type FolderFile struct {
	Name             string
	ReconciliationID uint64 `json:",omitempty"`
	// Created is false when the same file was reconciled before.
	Created    bool `json:",omitempty"`
	Mismatches int  `json:",omitempty"`
	// Refused says why the file could not be read (it stays in the folder;
	// a corrected file is read on a later run).
	Refused string `json:",omitempty"`
}

// ReconcileFolder reconciles the statement files of an estate's day found
// in the folder; a channel without a file is skipped. Safe to run again: a
// file reconciled before answers its first reconciliation
// (store.Reconcile), a changed file makes a new one.
func (a *Reconciler) ReconcileFolder(ctx context.Context, in ReconcileFolderInput) ([]FolderFile, error) {
	if a.Dir == "" {
		return nil, nil
	}
	e, err := a.Store.Estate(ctx, store.AllEstates(), in.EstateID)
	if err != nil {
		return nil, permanent(err)
	}
	if e.Code == "" || filepath.Base(e.Code) != e.Code || e.Code == "." || e.Code == ".." {
		return nil, permanent(models.Invalid("code", "estate %d's code %q cannot name a folder", e.ID, e.Code))
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	var out []FolderFile
	for _, ch := range StatementChannels {
		name := fmt.Sprintf("%s-%s.csv", ch, in.Day)
		path := filepath.Join(a.Dir, e.Code, name)
		data, err := readStatement(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return out, err
		}
		f, err := statement.Read(name, data, loc)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			logFor(ctx, cmp.Or(a.Log, slog.Default())).Warn("reconciliation: statement refused", "path", path, "err", err)
			out = append(out, FolderFile{Name: filepath.Join(e.Code, name), Refused: ve.Reason})
			continue
		}
		r, created, err := a.Store.Reconcile(ctx, store.AllEstates(), store.Statement{EstateID: e.ID, Channel: ch, Day: in.Day, Loc: loc,
			Rows: f.Rows, Digest: f.Digest, FileName: name, Source: models.SourceFolder})
		if err != nil {
			return out, err
		}
		out = append(out, FolderFile{Name: filepath.Join(e.Code, name), ReconciliationID: r.ID, Created: created, Mismatches: r.MismatchCount})
	}
	return out, nil
}

// readStatement reads a statement file up to one byte more than
// models.MaxStatementBytes (statement.Read refuses it then).
func readStatement(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, models.MaxStatementBytes+1))
}
