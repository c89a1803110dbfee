//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// epollAvailable: on Linux the connections are read from epoll loops.
const epollAvailable = true

// epollLoops is how many epoll loops read the connections (one per core).
const epollLoops = 2

// rawConn is one connection as an epoll loop reads it: its descriptor and
// the bytes of a frame not yet whole. Server frames are never masked.
type rawConn struct {
	i       int
	fd      int
	pending []byte
}

// readEpoll hands the open connections, snapshot read, to epollLoops
// loops that read each ready socket once per wake-up and answer pings;
// a goroutine per connection would cost the server's two cores more
// than the server's own writes.
func (f *fanout) readEpoll() error {
	loops := make([]map[int]*rawConn, epollLoops)
	fds := make([]int, epollLoops)
	for l := range loops {
		loops[l] = map[int]*rawConn{}
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return fmt.Errorf("epoll: %w", err)
		}
		fds[l] = fd
	}
	for i, conn := range f.conns {
		if conn == nil {
			continue
		}
		tc, ok := conn.NetConn().(*net.TCPConn)
		if !ok {
			return errors.New("not a TCP connection")
		}
		sc, err := tc.SyscallConn()
		if err != nil {
			return err
		}
		// With -detach the loop reads a duplicate of the descriptor and
		// the original is closed: Go's own poller then forgets the socket,
		// so that a frame arriving wakes one epoll set, not two (on
		// loopback the server's write runs both wake-ups).
		fd, dupErr := -1, error(nil)
		sc.Control(func(d uintptr) {
			fd = int(d) // valid while conn is open
			if !f.detach {
				return
			}
			r, _, e := syscall.Syscall(syscall.SYS_FCNTL, d, syscall.F_DUPFD_CLOEXEC, 0)
			if e != 0 {
				dupErr = e
				return
			}
			fd = int(r)
		})
		if dupErr != nil {
			return fmt.Errorf("dup: %w", dupErr)
		}
		if f.detach {
			conn.NetConn().Close()
			f.conns[i] = nil
			f.rawFDs = append(f.rawFDs, fd)
		}
		l := i % epollLoops
		loops[l][fd] = &rawConn{i: i, fd: fd}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		if err := syscall.EpollCtl(fds[l], syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return fmt.Errorf("epoll add: %w", err)
		}
	}
	var stop sync.Once
	done := make(chan struct{})
	f.stopReaders = func() {
		stop.Do(func() { close(done) })
	}
	for l := range loops {
		go f.epollLoop(fds[l], loops[l], done)
	}
	return nil
}

// epollLoop reads the ready connections of one epoll set until done.
func (f *fanout) epollLoop(epfd int, conns map[int]*rawConn, done <-chan struct{}) {
	defer syscall.Close(epfd)
	events := make([]syscall.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	for {
		select {
		case <-done:
			return
		default:
		}
		n, err := syscall.EpollWait(epfd, events, 200)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			c := conns[int(ev.Fd)]
			if c == nil {
				continue
			}
			m, err := syscall.Read(c.fd, buf)
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				continue
			}
			if m <= 0 || !f.frames(c, buf[:m], time.Now()) {
				syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
				delete(conns, c.fd)
				f.lost.Add(1)
			}
		}
	}
}

// frames parses the server frames in data (after c.pending), records the
// seats frames and answers pings; false on a close frame or a bad one.
func (f *fanout) frames(c *rawConn, data []byte, now time.Time) bool {
	if len(c.pending) > 0 {
		data = append(c.pending, data...)
		c.pending = nil
	}
	for len(data) >= 2 {
		op, n, hdr := data[0]&0x0f, int(data[1]&0x7f), 2
		switch n {
		case 126:
			if len(data) < 4 {
				break
			}
			n, hdr = int(data[2])<<8|int(data[3]), 4
		case 127:
			if len(data) < 10 {
				break
			}
			n, hdr = 0, 10
			for _, b := range data[2:10] {
				n = n<<8 | int(b)
			}
		}
		if (data[1]&0x7f == 126 && hdr != 4) || (data[1]&0x7f == 127 && hdr != 10) || len(data) < hdr+n {
			break // not whole yet
		}
		payload := data[hdr : hdr+n]
		switch op {
		case 0, 1: // text, or a continuation of a long snapshot
			f.received(c.i, payload, now)
		case 8:
			return false
		case 9: // ping: a masked pong with the same payload (mask 0)
			pong := append([]byte{0x8a, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
			syscall.Write(c.fd, pong)
		}
		data = data[hdr+n:]
	}
	if len(data) > 0 {
		c.pending = append([]byte(nil), data...)
	}
	return true
}

// closeRaw says goodbye on, and closes, the descriptors the epoll loops
// read (-detach): a masked close frame, going away (1001), as gorilla
// would send.
func (f *fanout) closeRaw() {
	bye := []byte{0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9}
	for _, fd := range f.rawFDs {
		syscall.Write(fd, bye)
		syscall.Close(fd)
	}
	f.rawFDs = nil
}
