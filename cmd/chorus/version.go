package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

// buildVersion returns Chorus's version and the VCS revision it was built
// from (when known).
func buildVersion() (ver, revision string) {
	ver = version
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	if ver == "" {
		ver = "devel"
	}
	return ver, revision
}

// printVersion runs `chorus version`.
func printVersion(out io.Writer) {
	ver, rev := buildVersion()
	if rev != "" {
		fmt.Fprintf(out, "chorus %s (%s, %s)\n", ver, rev, runtime.Version())
		return
	}
	fmt.Fprintf(out, "chorus %s (%s)\n", ver, runtime.Version())
}
