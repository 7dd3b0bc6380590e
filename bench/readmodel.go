package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// readModel fills the database up to c.rows tickets and c.arrears arrears
// cases (in a new estate, by batched inserts) and times list, arrears and
// dashboard queries one at a time.
func readModel(ctx context.Context, c config, tg target, routes map[string]bool) (ReadModel, error) {
	rm := ReadModel{Driver: tg.db.driver}
	e, err := svc.SetupEstate(ctx, tg.base, fmt.Sprintf("BIG%d", time.Now().Unix()%100000), nil)
	if err != nil {
		return rm, err
	}
	s, db, err := tg.db.open(ctx)
	if err != nil {
		return rm, err
	}
	defer s.Close()
	var have int64
	if err := db.WithContext(ctx).Model(&models.Ticket{}).Count(&have).Error; err != nil {
		return rm, err
	}
	began := time.Now()
	statuses := []models.TicketStatus{models.StatusNew, models.StatusAssigned, models.StatusAccepted, models.StatusInProgress,
		models.StatusOnHold, models.StatusCompleted, models.StatusClosed, models.StatusClosed, models.StatusClosed, models.StatusCancelled}
	urgencies := []models.Urgency{models.UrgencyCritical, models.UrgencyUrgent, models.UrgencyNormal, models.UrgencyNormal}
	now := time.Now().UTC()
	const batch = 1000
	desk := e.Staff[models.RoleCustomerService]
	for n := int(have); n < c.rows; n += batch {
		rows := make([]models.Ticket, 0, batch)
		for i := n; i < min(n+batch, c.rows); i++ {
			st := statuses[i%len(statuses)]
			reported := now.Add(-time.Duration(i%(90*24*60)) * time.Minute)
			due := reported.Add(time.Duration(4+i%72) * time.Hour)
			warn := due.Add(-time.Hour)
			t := models.Ticket{EstateID: e.ID, Kind: models.TicketRepair, Urgency: urgencies[i%len(urgencies)], Category: "水电",
				Description: "批量生成的工单", Location: fmt.Sprintf("%d栋", i%30+1), Channel: models.ReportPhone,
				ReportedAt: reported, FirstReceiverID: desk,
				TicketProgress: models.TicketProgress{Status: st, EscalationLevel: i % 3,
					Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: reported.Add(time.Hour)},
						{Milestone: models.MilestoneOnSite, Due: due}, {Milestone: models.MilestoneComplete, Due: due.Add(24 * time.Hour)}}},
			}
			if !st.Terminal() && st != models.StatusCompleted && st != models.StatusOnHold {
				t.NextDueAt, t.NextDueKind, t.WarnAt = &due, models.MilestoneOnSite, &warn
			}
			if st.Terminal() {
				t.ClosedAt = &due
			}
			rows = append(rows, t)
		}
		if err := db.WithContext(ctx).CreateInBatches(rows, 250).Error; err != nil {
			return rm, fmt.Errorf("insert tickets: %w", err)
		}
	}
	rm.InsertS = time.Since(began).Seconds()
	if err := db.WithContext(ctx).Model(&models.Ticket{}).Count(&rm.Tickets).Error; err != nil {
		return rm, err
	}
	if err := db.WithContext(ctx).Model(&models.CollectionCase{}).Count(&have).Error; err != nil {
		return rm, err
	}
	if more := c.arrears - int(have); more > 0 {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return rm, err
		}
		began = time.Now()
		if err := arrearsRows(ctx, db, e.ID, more, now, loc, models.DefaultPolicy().Fees); err != nil {
			return rm, err
		}
		rm.ArrearsInsertS = time.Since(began).Seconds()
	}
	if err := db.WithContext(ctx).Model(&models.CollectionCase{}).Count(&rm.Cases).Error; err != nil {
		return rm, err
	}
	// The rows went in beside the store: the dashboards and list totals
	// read summary rows the store keeps as it writes, so rebuild them once.
	began = time.Now()
	if err := s.RebuildSummaries(ctx); err != nil {
		return rm, fmt.Errorf("rebuild summaries: %w", err)
	}
	rm.SummariesS = time.Since(began).Seconds()

	desk0, sup := e.Clients[models.RoleCustomerService], e.Clients[models.RoleSupervisor]
	get := func(cl *svc.Client, path string) call {
		return func(ctx context.Context, _ int) (int, error) {
			r, err := cl.Do(ctx, http.MethodGet, path, "", nil)
			return r.Status, err
		}
	}
	q := func(name string, cl *svc.Client, path string) {
		rm.Queries = append(rm.Queries, closedLoop(ctx, name, c.reads, get(cl, path)))
	}
	q("list, nearest deadline first", desk0, fmt.Sprintf("/api/v1/tickets?estate_id=%d&page_size=50", e.ID))
	q("list, page 200 of 50", desk0, fmt.Sprintf("/api/v1/tickets?estate_id=%d&page_size=50&page=200", e.ID))
	q("list, status=assigned", desk0, fmt.Sprintf("/api/v1/tickets?estate_id=%d&status=assigned", e.ID))
	q("list, breached", desk0, fmt.Sprintf("/api/v1/tickets?estate_id=%d&breached=true", e.ID))
	q("list, at risk", desk0, fmt.Sprintf("/api/v1/tickets?estate_id=%d&at_risk=true", e.ID))
	q("list, every estate (admin)", e.Admin, "/api/v1/tickets?page_size=50")
	if routes["GET /api/v1/dashboard"] {
		q("dashboard, one estate", sup, fmt.Sprintf("/api/v1/dashboard?estate_id=%d", e.ID))
		q("dashboard, every estate (admin)", e.Admin, "/api/v1/dashboard")
	}
	if path := arrearsPath(routes); path != "" {
		q("arrears list, open cases", desk0, fmt.Sprintf("%s?estate_id=%d&page_size=50", path, e.ID))
		q("arrears list, stage=dunning", desk0, fmt.Sprintf("%s?estate_id=%d&stage=dunning&page_size=50", path, e.ID))
		q("arrears list, stage=legal", desk0, fmt.Sprintf("%s?estate_id=%d&stage=legal&page_size=50", path, e.ID))
		q("arrears list, page 200 of 50", desk0, fmt.Sprintf("%s?estate_id=%d&page_size=50&page=200", path, e.ID))
		q("arrears list, every estate (admin)", e.Admin, path+"?page_size=50")
	}
	return rm, nil
}

// mysqlReadModel starts a second service on a fresh MySQL database and
// measures its read model.
func mysqlReadModel(ctx context.Context, c config, binary string) (ReadModel, time.Duration, error) {
	cfg, err := mysqldriver.ParseDSN(c.mysqlDSN)
	if err != nil {
		return ReadModel{}, 0, err
	}
	if host, _, _ := net.SplitHostPort(cfg.Addr); host != "127.0.0.1" && host != "localhost" && host != "::1" {
		return ReadModel{}, 0, fmt.Errorf("-mysql-dsn %s: the bench uses a loopback server only", cfg.Addr)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return ReadModel{}, 0, err
	}
	defer admin.Close()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "wuye_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return ReadModel{}, 0, err
	}
	defer admin.Exec("DROP DATABASE IF EXISTS " + name)
	cfg.DBName = name
	dir, err := os.MkdirTemp("", "wuye-bench-mysql-")
	if err != nil {
		return ReadModel{}, 0, err
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	p, err := svc.Start(ctx, svc.Options{Binary: binary, DataDir: dir, Env: map[string]string{
		"WUYE_DB_DRIVER": store.MySQL, "WUYE_DB_DSN": cfg.FormatDSN()}})
	if err != nil {
		return ReadModel{}, 0, err
	}
	defer p.Stop()
	routes, err := routeSet(ctx, p.Base)
	if err != nil {
		return ReadModel{}, 0, err
	}
	tg := target{base: p.Base, frontend: p.Frontend, proc: p, password: svc.AdminPassword,
		db: dbTarget{driver: store.MySQL, dsn: cfg.FormatDSN()}}
	rm, err := readModel(ctx, c, tg, routes)
	return rm, p.StartUp, err
}
