package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/chorus-community/chorus/internal/tcplb"
)

func init() {
	register("lb", "a round-robin TCP proxy in front of several instances (one address), until SIGTERM", runLB)
}

// runLB serves `chorus-load lb -listen ADDR BACKEND...`: it prints
// "listening on HOST:PORT" once the proxy takes connections, then proxies
// each connection to the next backend in turn (internal/tcplb) until
// SIGTERM or SIGINT. `chorus-load bookings -instances 2` runs it in a
// process of its own, so that the proxy's CPU is neither the clients' nor
// the servers'.
func runLB(args []string) error {
	fs := flag.NewFlagSet("lb", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "the address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: chorus-load lb [-listen addr] backend...")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	lb, err := tcplb.Listen(*listen, fs.Args()...)
	if err != nil {
		return err
	}
	fmt.Printf("listening on %s\n", lb.Addr())
	<-stop
	return lb.Close()
}
