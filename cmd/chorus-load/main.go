// Command chorus-load drives a running Chorus from its own process, so
// that the load's CPU and file descriptors are not the server's: `make
// bench` starts the server from the built binary and runs each
// subcommand against it over loopback. Every subcommand prints its
// figures as text, one per line, for docs/benchmarks.md.
//
//	chorus-load <subcommand> [flags]
package main

import (
	"fmt"
	"os"
	"sort"
)

// command is one kind of load: it parses its own flags from args and
// prints its figures to stdout.
type command struct {
	summary string
	run     func(args []string) error
}

// commands holds the subcommands; each file registers its own in init.
var commands = map[string]command{}

// register adds a subcommand; it is called from init functions.
func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "chorus-load: no subcommand %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "chorus-load %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: chorus-load <subcommand> [flags]")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
}
