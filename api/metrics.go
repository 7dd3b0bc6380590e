package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsRoutes serves Prometheus metrics: the Go runtime (go_goroutines,
// memory), the process (process_resident_memory_bytes, open files), the
// database pool and its errors in this process (wuye_db_errors_total), the
// service's records counted in the database at each scrape, so they survive
// restarts and agree across API replicas; the sign-in locks this process set
// (wuye_sign_in_lockouts_total, per replica: sum them across instances); and
// Options.Collectors (the worker's failed workflow tasks when it runs here).
//
// The route is for company administrators only: the counts are the whole
// company's business volume, every estate at once. Prometheus scrapes it
// with an administrator's integration token (authorization: bearer).
func (s *Server) metricsRoutes() []route {
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.metricsCollectors()...)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn), ErrorHandling: promhttp.ContinueOnError,
	})
	return []route{
		{method: http.MethodGet, path: "/metrics", summary: "Prometheus metrics: runtime, process, database pool, tickets, escalations, messages, failed workflow tasks (company administrators; scrape with an integration token)",
			tag: "system", roles: adminOnly, handler: gin.WrapH(h), status: http.StatusOK},
	}
}

// metricsCollectors is everything /metrics serves. deploy/prometheus and
// deploy/grafana use only these names and Temporal's (api/deploy_test.go).
func (s *Server) metricsCollectors() []prometheus.Collector {
	cs := []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&recordCollector{s: s}, s.signInLockouts}
	cs = append(cs, s.collectors...)
	if s.store != nil {
		if db, err := s.store.SQL(); err == nil {
			cs = append(cs, collectors.NewDBStatsCollector(db, s.store.Driver()))
		}
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "wuye_db_errors_total",
			Help: "Statements the database failed in this process, other than not found, duplicate keys and cancelled requests.",
		}, func() float64 { return float64(s.store.Errors()) }))
	}
	return cs
}

var (
	ticketsDesc = prometheus.NewDesc("wuye_tickets", "Tickets in the database, by open (1) or finished (0).",
		[]string{"open"}, nil)
	breachedDesc = prometheus.NewDesc("wuye_tickets_breached",
		"Open tickets past their nearest pending deadline (SLA breached), counted as the dashboard does.", nil, nil)
	escalationsDesc = prometheus.NewDesc("wuye_ticket_escalations", "Escalation events recorded for tickets.", nil, nil)
	messagesDesc    = prometheus.NewDesc("wuye_messages", "Notification messages, by status (pending, sent, failed).",
		[]string{"status"}, nil)
	attemptsDesc = prometheus.NewDesc("wuye_message_attempts", "Delivery attempts of notification messages, by outcome.",
		[]string{"ok"}, nil)
)

// recordCollector counts records with a few aggregate queries per scrape.
type recordCollector struct{ s *Server }

func (c *recordCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ticketsDesc, breachedDesc, escalationsDesc, messagesDesc, attemptsDesc} {
		ch <- d
	}
}

func (c *recordCollector) Collect(ch chan<- prometheus.Metric) {
	if c.s.store == nil {
		return
	}
	db, err := c.s.store.SQL()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	grouped := func(desc *prometheus.Desc, q string, args ...any) {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(desc, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				label string
				n     float64
			)
			if err := rows.Scan(&label, &n); err != nil {
				ch <- prometheus.NewInvalidMetric(desc, err)
				return
			}
			if desc == escalationsDesc || desc == breachedDesc {
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, n)
			} else {
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, n, label)
			}
		}
		if err := rows.Err(); err != nil {
			ch <- prometheus.NewInvalidMetric(desc, err)
		}
	}
	grouped(ticketsDesc, `SELECT CASE WHEN status IN ('closed', 'cancelled') THEN '0' ELSE '1' END AS is_open, COUNT(*) FROM tickets GROUP BY is_open`)
	grouped(breachedDesc, `SELECT 'all', COUNT(*) FROM tickets WHERE status NOT IN ('closed', 'cancelled') AND next_due_at < ?`, c.s.now().UTC())
	grouped(escalationsDesc, `SELECT 'all', COUNT(*) FROM case_events WHERE kind = 'ticket' AND type = 'escalation'`)
	grouped(messagesDesc, `SELECT status, COUNT(*) FROM messages GROUP BY status`)
	grouped(attemptsDesc, `SELECT CASE WHEN ok THEN '1' ELSE '0' END AS outcome, COUNT(*) FROM message_attempts GROUP BY outcome`)
}
