// Command memprobe measures the service's memory with many open ticket
// processes (issue 15): it starts the binary on a fresh data directory,
// creates appointed repairs far from any deadline through the API, and at
// each checkpoint records VmRSS and the Go heap and saves a heap profile.
//
//	go run ./bench/memprobe -n 10000 -at 2000,5000,10000 -out /tmp/mem
//	go tool pprof -top -sample_index=inuse_space /tmp/mem/heap-5000.pb.gz
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

func main() {
	n := flag.Int("n", 10000, "open tickets to create")
	at := flag.String("at", "1000,2000,5000,10000", "checkpoints (open tickets)")
	out := flag.String("out", "/tmp/memprobe", "folder for data dir and profiles")
	env := flag.String("env", "", "extra variables for the service: K=V,K=V")
	workers := flag.Int("c", 8, "concurrent creators")
	settle := flag.Duration("settle", 20*time.Second, "wait after the last ticket before the final reading")
	apptIn := flag.Duration("appointment", 72*time.Hour, "appointment (and deadline) this far ahead; the policy warns at 1% of it, so 5h wakes every process once 3 minutes after its creation")
	touch := flag.Bool("touch", true, "then read every ticket once (a query wakes each process, as deadlines and staff do) and measure again")
	flag.Parse()
	ctx := context.Background()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	mod, err := svc.ModuleDir(".")
	if err != nil {
		log.Fatal(err)
	}
	bin, err := svc.Build(ctx, mod, *out)
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.MkdirTemp(*out, "data-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	debug := l.Addr().String()
	l.Close()
	vars := map[string]string{"WUYE_DEBUG_ADDR": debug}
	for _, kv := range strings.Split(*env, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	s, err := svc.Start(ctx, svc.Options{Binary: bin, DataDir: data, Env: vars})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Stop()
	e, err := svc.SetupEstate(ctx, s.Base, "MEM1", svc.SecondScale(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	desk := e.Clients[models.RoleCustomerService]
	desk.HTTP = &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	appt := time.Now().Add(*apptIn)
	report := func(open int) {
		rss, _ := s.RSS()
		st := heapStats(debug)
		fmt.Printf("open=%d rss_mib=%d %s\n", open, rss>>20, st)
		saveHeap(debug, filepath.Join(*out, fmt.Sprintf("heap-%d.pb.gz", open)))
	}
	report(0)
	var marks []int
	for _, f := range strings.Split(*at, ",") {
		if v, err := strconv.Atoi(f); err == nil {
			marks = append(marks, v)
		}
	}
	var created, failed atomic.Int64
	var idMu sync.Mutex
	var ids []uint64
	began := time.Now()
	next := 0
	for next < len(marks) && marks[next] <= *n {
		goal := marks[next]
		var wg sync.WaitGroup
		for w := 0; w < *workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for created.Load() < int64(goal) {
					r, err := desk.Do(ctx, http.MethodPost, "/api/v1/tickets", "", svc.AppointedRepair(e.ID, appt))
					if err == nil && r.Status == http.StatusCreated {
						created.Add(1)
						idMu.Lock()
						ids = append(ids, createdID(r.Body))
						idMu.Unlock()
					} else if f := failed.Add(1); f < 5 {
						log.Printf("create: %v %d %s", err, r.Status, r.Body)
					} else if f > 100 {
						log.Fatalf("create: %d failures, the last: %v %d %s", f, err, r.Status, r.Body)
					}
				}
			}()
		}
		wg.Wait()
		fmt.Printf("created %d in %s (%.1f/s)\n", created.Load(), time.Since(began).Round(time.Second), float64(created.Load())/time.Since(began).Seconds())
		if goal == marks[len(marks)-1] {
			time.Sleep(*settle)
		}
		report(int(created.Load()))
		next++
	}
	if !*touch {
		return
	}
	began = time.Now()
	var cursor, read atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := cursor.Add(1) - 1; i < int64(len(ids)); i = cursor.Add(1) - 1 {
				r, err := desk.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ids[i]), "", nil)
				if err == nil && r.Status == http.StatusOK && !strings.Contains(string(r.Body), `"process_error"`) {
					read.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("read %d of %d tickets with their live state in %s\n", read.Load(), len(ids), time.Since(began).Round(time.Second))
	time.Sleep(*settle)
	report(int(created.Load()))
}

// createdID is the id in a created resource's body, 0 when there is none.
func createdID(body []byte) uint64 {
	var t struct {
		ID uint64 `json:"id"`
	}
	_ = json.Unmarshal(body, &t)
	return t.ID
}

var memLine = regexp.MustCompile(`# (HeapInuse|HeapSys|HeapIdle|HeapReleased|Sys|Stack|NextGC|NumGC) = (\d+)`)

// heapStats reads the runtime's MemStats from the heap profile's text form.
func heapStats(addr string) string {
	// gc=1: the service collects first, so the figures are what is live.
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var b strings.Builder
	for _, m := range memLine.FindAllStringSubmatch(string(raw), -1) {
		v, _ := strconv.ParseInt(m[2], 10, 64)
		if m[1] == "NumGC" {
			fmt.Fprintf(&b, "%s=%d ", m[1], v)
			continue
		}
		fmt.Fprintf(&b, "%s=%dMiB ", m[1], v>>20)
	}
	resp2, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err == nil {
		line, _ := io.ReadAll(io.LimitReader(resp2.Body, 200))
		resp2.Body.Close()
		fmt.Fprintf(&b, "%s", strings.SplitN(string(line), "\n", 2)[0])
	}
	return b.String()
}

func saveHeap(addr, path string) {
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?gc=1")
	if err != nil {
		log.Print(err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		log.Print(err)
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}
