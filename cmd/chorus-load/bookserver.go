package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchServerArgs are the flags `chorus-load bookings -server` and
// `chorus-load kiosks -server` start the server with: demo data, and the
// limits that stop one kiosk from booking for thousands of phones (or one
// address from pairing hundreds of kiosks) turned off (a load test is
// exactly that); residents' bookings are confirmed at once, as in the
// in-process benchmark (server/bench_test.go).
var benchServerArgs = []string{"-demo", "-log-level=warn", "-require-confirm=false",
	"-kiosk-actions-per-minute=-1", "-kiosk-lookups-per-minute=-1", "-phone-requests-per-day=-1",
	"-pair-per-minute=-1", "-kiosk-max-pending=0", "-phone-max-pending=0"}

// serverStartTimeout bounds how long the server may take to answer /readyz.
const serverStartTimeout = 30 * time.Second

// benchServer is a Chorus server started from its binary for one run.
type benchServer struct {
	url, metrics, db string
	dir              string
	cmd              *exec.Cmd
	log              *os.File
}

// startBenchServer starts bin on a fresh SQLite file in a temporary
// directory, on free loopback ports (the API and /metrics), and waits
// until it is ready.
func startBenchServer(bin string) (*benchServer, error) {
	return startBenchServerOn(bin, "", true)
}

// startBenchServerOn starts bin as startBenchServer does, on the database
// at dsn (PostgreSQL; "" for a fresh SQLite file), seeding the demo data
// when demo is set (the first of several instances on one database).
func startBenchServerOn(bin, dsn string, demo bool) (*benchServer, error) {
	dir, err := os.MkdirTemp("", "chorus-bench-*")
	if err != nil {
		return nil, err
	}
	s := &benchServer{dir: dir}
	db := dsn
	if dsn == "" {
		s.db = filepath.Join(dir, "chorus.db")
		db = s.db
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		s.stop()
		return nil, err
	}
	maddr, err := freeLoopbackAddr()
	if err != nil {
		s.stop()
		return nil, err
	}
	s.url, s.metrics = "http://"+addr, "http://"+maddr+"/metrics"
	if s.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		s.stop()
		return nil, err
	}
	args := []string{"-addr", addr, "-db", db, "-metrics-addr", maddr}
	for _, a := range benchServerArgs {
		if a != "-demo" || demo {
			args = append(args, a)
		}
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env = append(os.Environ(), "CHORUS_SMS_ACCESS_KEY_ID=") // SMS to the log, never sent
	if err := s.cmd.Start(); err != nil {
		s.stop()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	deadline := time.Now().Add(serverStartTimeout)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer /readyz within %s (its log: %s)", bin, serverStartTimeout, s.tail())
		}
		time.Sleep(50 * time.Millisecond) // polling a separate process: nothing to wait on
	}
}

// cpu returns the CPU time the server has used so far (user and system,
// from /proc), or 0 where /proc cannot tell.
func (s *benchServer) cpu() time.Duration {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return procCPU(s.cmd.Process.Pid)
}

// procCPU returns the CPU time process pid has used so far (user and
// system, from /proc, in steps of 10 ms), or 0 where /proc cannot tell.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

// tail returns the end of the server's log, for an error.
func (s *benchServer) tail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its
// directory.
func (s *benchServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	if s.log != nil {
		s.log.Close()
	}
	os.RemoveAll(s.dir)
}

// freeLoopbackAddr returns a loopback address with a port free a moment ago.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
