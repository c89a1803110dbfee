package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/chorus-community/chorus/internal/pgtest"
)

// pgBench is Chorus on PostgreSQL for one run of `chorus-load bookings
// -db postgres`: a throwaway cluster (or the database given), one or more
// instances of the server on that database, and, for several, a
// round-robin proxy in a process of its own (`chorus-load lb`) as their
// one address.
type pgBench struct {
	cluster *pgtest.Cluster // nil for a database given by its address
	servers []*benchServer
	lb      *exec.Cmd
	url     string
	metrics []string // each instance's /metrics
}

// startPostgresBench starts instances servers from bin on the database at
// db: "postgres" for a new database on a throwaway cluster that syncs its
// commits as a production server does (fsync and synchronous_commit on,
// pgtest.StartDurable; run as the user postgres when this runs as root),
// else a postgres://… address of an empty database. The first instance
// seeds the demo data; the others start once it is ready.
func startPostgresBench(bin, db string, instances int) (*pgBench, error) {
	if instances < 1 {
		return nil, fmt.Errorf("-instances must be at least 1")
	}
	p := &pgBench{}
	dsn := db
	if db == "postgres" {
		c, err := pgtest.StartDurable()
		if err != nil {
			return nil, fmt.Errorf("postgres cluster: %w", err)
		}
		p.cluster = c
		if dsn, err = c.CreateDatabase("chorus_bench"); err != nil {
			p.stop()
			return nil, err
		}
	}
	var backends []string
	for i := range instances {
		s, err := startBenchServerOn(bin, dsn, i == 0)
		if err != nil {
			p.stop()
			return nil, fmt.Errorf("instance %d: %w", i+1, err)
		}
		p.servers = append(p.servers, s)
		p.metrics = append(p.metrics, s.metrics)
		backends = append(backends, strings.TrimPrefix(s.url, "http://"))
	}
	if instances == 1 {
		p.url = p.servers[0].url
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		p.stop()
		return nil, err
	}
	p.lb = exec.Command(self, append([]string{"lb", "-listen", "127.0.0.1:0"}, backends...)...)
	p.lb.Stderr = os.Stderr
	out, err := p.lb.StdoutPipe()
	if err != nil {
		p.stop()
		return nil, err
	}
	if err := p.lb.Start(); err != nil {
		p.stop()
		return nil, fmt.Errorf("start the proxy: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		p.stop()
		return nil, fmt.Errorf("the proxy did not start: %q %v", line, err)
	}
	p.url = "http://" + addr
	return p, nil
}

// describe says what runs, for the output.
func (p *pgBench) describe() string {
	var urls []string
	for _, s := range p.servers {
		urls = append(urls, s.url)
	}
	if p.lb == nil {
		return fmt.Sprintf("1 instance on PostgreSQL at %s", urls[0])
	}
	return fmt.Sprintf("%d instances on one PostgreSQL database (%s) behind one address %s (chorus-load lb, pid %d)",
		len(p.servers), strings.Join(urls, ", "), p.url, p.lb.Process.Pid)
}

// cpu returns the CPU time the instances have used so far.
func (p *pgBench) cpu() time.Duration {
	var t time.Duration
	for _, s := range p.servers {
		t += s.cpu()
	}
	return t
}

// stop ends the proxy, the instances and the cluster.
func (p *pgBench) stop() {
	if p.lb != nil && p.lb.Process != nil {
		p.lb.Process.Signal(syscall.SIGTERM)
		p.lb.Wait()
	}
	for _, s := range p.servers {
		s.stop()
	}
	if p.cluster != nil {
		p.cluster.Stop()
	}
}
