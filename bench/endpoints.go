package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// maxInFlight bounds outstanding requests per endpoint.
const maxInFlight = 1000

type loadResult struct {
	estate *svc.Estate
	stats  []Stats
	notes  []string
}

// createRate is the create endpoint's achieved rate, for sizing the
// lateness runs.
func (l loadResult) createRate() float64 {
	for _, s := range l.stats {
		if s.Name == "create ticket" && s.Achieved > 0 {
			return s.Achieved
		}
	}
	return 10
}

func fastClient(c *svc.Client) *svc.Client {
	return &svc.Client{Base: c.Base, Token: c.Token, HTTP: &http.Client{Timeout: time.Minute,
		Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}}}
}

// runLoad loads each endpoint in turn, open loop. The tickets it creates
// stay open (hour-long windows), so later sections see them as open
// processes.
func runLoad(ctx context.Context, c config, tg target, routes map[string]bool) (loadResult, error) {
	e, err := svc.SetupEstate(ctx, tg.base, fmt.Sprintf("LOAD%d", time.Now().Unix()%100000), svc.SecondScale(time.Hour))
	if err != nil {
		return loadResult{}, err
	}
	res := loadResult{estate: e}
	desk := fastClient(e.Clients[models.RoleCustomerService])
	sup := fastClient(e.Clients[models.RoleSupervisor])
	var (
		mu  sync.Mutex
		ids []uint64
	)
	run := time.Now().UnixNano()
	create := openLoop(ctx, "create ticket", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
		r, err := desk.Do(ctx, http.MethodPost, "/api/v1/tickets", fmt.Sprintf("bench-%d-%d", run, i), svc.CriticalRepair(e.ID))
		if err != nil {
			return 0, err
		}
		if r.Status == http.StatusCreated {
			var t struct {
				ID uint64 `json:"id"`
			}
			if json.Unmarshal(r.Body, &t) == nil {
				mu.Lock()
				ids = append(ids, t.ID)
				mu.Unlock()
			}
		}
		return r.Status, nil
	})
	res.stats = append(res.stats, create)
	if len(ids) == 0 {
		return res, fmt.Errorf("no ticket created: %s", create.FirstFail)
	}
	pick := func(i int) uint64 { return ids[i%len(ids)] }
	res.stats = append(res.stats, openLoop(ctx, "staff action (note)", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
		r, err := sup.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/note", pick(i)), fmt.Sprintf("note-%d-%d", run, i), map[string]any{"note": "已电话联系业主"})
		return r.Status, err
	}))
	res.stats = append(res.stats, openLoop(ctx, "get ticket", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
		r, err := desk.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", pick(i)), "", nil)
		return r.Status, err
	}))
	res.stats = append(res.stats, openLoop(ctx, "list tickets", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
		r, err := desk.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/tickets?estate_id=%d&page_size=50", e.ID), "", nil)
		return r.Status, err
	}))
	if path := arrearsPath(routes); path != "" {
		fin := fastClient(e.Admin)
		res.stats = append(res.stats, openLoop(ctx, "arrears list", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
			r, err := fin.Do(ctx, http.MethodGet, fmt.Sprintf("%s?estate_id=%d", path, e.ID), "", nil)
			return r.Status, err
		}))
	} else {
		res.notes = append(res.notes, "no arrears list route in the route table: skipped")
	}
	if routes["GET /api/v1/dashboard"] {
		res.stats = append(res.stats, openLoop(ctx, "dashboard", c.rate, c.duration, maxInFlight, func(ctx context.Context, i int) (int, error) {
			r, err := sup.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/dashboard?estate_id=%d", e.ID), "", nil)
			return r.Status, err
		}))
	} else {
		res.notes = append(res.notes, "no dashboard route in the route table: skipped")
	}
	return res, nil
}

// arrearsPath is the arrears list route, when the service has one.
func arrearsPath(routes map[string]bool) string {
	for _, p := range []string{"/api/v1/arrears", "/api/v1/arrears-cases", "/api/v1/collection-cases", "/api/v1/cases"} {
		if routes["GET "+p] {
			return p
		}
	}
	for r := range routes {
		if strings.HasPrefix(r, "GET /api/v1/") && strings.Contains(r, "arrears") && !strings.Contains(r, "{") {
			return strings.TrimPrefix(r, "GET ")
		}
	}
	return ""
}

// metric reads named samples (summed over labels, or only those whose
// labels contain match) from /metrics.
func metric(ctx context.Context, admin *svc.Client, name, match string) (float64, error) {
	r, err := admin.Do(ctx, http.MethodGet, "/metrics", "", nil)
	if err != nil {
		return 0, err
	}
	if r.Status != http.StatusOK {
		return 0, fmt.Errorf("/metrics: %d", r.Status)
	}
	var sum float64
	found := false
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		if match != "" && !strings.Contains(line, match) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum, found = sum+v, true
		}
	}
	if !found {
		return 0, fmt.Errorf("/metrics: no %s", name)
	}
	return sum, nil
}

func goroutines(ctx context.Context, admin *svc.Client) (float64, error) {
	return metric(ctx, admin, "go_goroutines", "")
}

func openAndGoroutines(ctx context.Context, admin *svc.Client) (open, gr float64, err error) {
	if open, err = metric(ctx, admin, "wuye_tickets", `open="1"`); err != nil {
		return 0, 0, err
	}
	gr, err = goroutines(ctx, admin)
	return open, gr, err
}
