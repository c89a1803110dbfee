# Chorus (社区合唱). `make run` starts the server with demo data on
# http://localhost:8080; `make test` runs every test. Both install what they
# need first (Debian packages when missing, Go modules).

GO       ?= go
ADDR     ?= :8080
DB       ?= ./chorus.db
# Debian packages: cgo for SQLite and espeak-ng, the kiosks' voice (the
# server speaks; without it the pages use the browser's voices); the
# browser, QR decoder and CJK fonts the tests use, and a sound server and
# recorder for the real-voice test; PostgreSQL, which the store's tests
# start as a throwaway cluster (internal/pgtest).
RUN_PKGS  := gcc libc6-dev espeak-ng
TEST_PKGS := $(RUN_PKGS) chromium zbar-tools fonts-noto-cjk pulseaudio pulseaudio-utils postgresql
BENCHTIME ?= 2s
# The version `chorus version`, /healthz and the console show.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: run build test bench bench-bookings fuzz deps-run deps-test check-go

run: deps-run
	$(GO) run ./cmd/chorus -demo -addr $(ADDR) -db $(DB)

build: deps-run
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/chorus ./cmd/chorus

test: deps-test
	$(GO) vet ./...
	CHORUS_TEST_POSTGRES=1 $(GO) test -race -timeout 25m ./...

# Benchmarks print figures (bookings/s, latencies, messages/s); record them
# in docs/benchmarks.md with this command.
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 20m ./...
	@$(MAKE) --no-print-directory bench-bookings

# Bookings over HTTP measured from a separate process (issue 18): chorus-load
# starts bin/chorus on a temporary database with demo data on a free
# loopback port, runs the bare SQLite loop of a booking's transaction on a
# copy of that file, then 64 HTTP clients with kiosk tokens, prints both and
# their ratio, and stops the server.
BOOKINGS_TIME ?= 10s
bench-bookings: build
	$(GO) build -o bin/chorus-load ./cmd/chorus-load
	@cat /proc/loadavg
	bin/chorus-load bookings -server bin/chorus -clients 64 -duration $(BOOKINGS_TIME)

# bench-postgres (issue 17): bookings over HTTP from a separate process,
# in the same run, on SQLite (synchronous=FULL), then on PostgreSQL — a
# throwaway cluster in a temporary directory with fsync and
# synchronous_commit on, run as the user postgres when make runs as root —
# with one instance, and with two instances on one database behind one
# address (chorus-load lb: a round-robin TCP proxy in a process of its
# own). The store alone is `go test -run '^$$' -bench BookStore ./sqlite`
# (in `make bench`).
bench: bench-postgres
.PHONY: bench-postgres
bench-postgres: build
	@$(MAKE) --no-print-directory apt PKGS="postgresql"
	$(GO) build -o bin/chorus-load ./cmd/chorus-load
	@cat /proc/loadavg
	bin/chorus-load bookings -server bin/chorus -no-bare -clients 64 -duration $(BOOKINGS_TIME)
	bin/chorus-load bookings -server bin/chorus -db postgres -instances 1 -clients 64 -duration $(BOOKINGS_TIME)
	bin/chorus-load bookings -server bin/chorus -db postgres -instances 2 -clients 64 -duration $(BOOKINGS_TIME)

# bench-communities (issue 16): bookings/s on a fresh server with one
# community and on another with COMMUNITIES communities seeded (copies of
# community 1's estates, places, events and residents), alternately ROUNDS
# times, the medians compared (docs/benchmarks.md).
COMMUNITIES ?= 10
ROUNDS      ?= 3
.PHONY: bench-communities
bench-communities: build
	$(GO) build -o bin/chorus-load ./cmd/chorus-load
	bin/chorus-load bookings -server bin/chorus -clients 64 -duration $(BOOKINGS_TIME) -communities $(COMMUNITIES) -rounds $(ROUNDS)

# bench-kiosks measures the kiosk fan-out from a separate process:
# chorus-load starts the server from the built binary on a temporary
# database with the demo data, on a free loopback port (as bench-bookings
# does), opens KIOSKS websockets over KIOSK_TOKENS paired kiosks, makes
# seats changes and prints how long each took to reach every kiosk and the
# server's RSS per connection.
# KIOSK_SERVER runs another build of the server (the code before a change).
KIOSKS       ?= 10000
KIOSK_TOKENS ?= 200
KIOSK_SERVER ?= bin/chorus
bench: bench-kiosks
.PHONY: bench-kiosks
bench-kiosks: build
	$(GO) build -o bin/chorus-load ./cmd/chorus-load
	bin/chorus-load kiosks -server $(KIOSK_SERVER) -n $(KIOSKS) -kiosks $(KIOSK_TOKENS)

# A short run of every fuzz target (FUZZTIME each: a count of inputs, as a
# time limit can trip a known fuzzing-coordinator bug of Go 1.26 (#75804)).
FUZZTIME ?= 20000x
fuzz: deps-run
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

check-go:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: install Go 1.24 or newer (https://go.dev/dl/) and run make again."; exit 1; }

deps-run: check-go
	@$(MAKE) --no-print-directory apt PKGS="$(RUN_PKGS)"
	$(GO) mod download

deps-test: check-go
	@$(MAKE) --no-print-directory apt PKGS="$(TEST_PKGS)"
	$(GO) mod download

# apt installs the Debian packages in PKGS that are missing (as root, or
# through sudo).
.PHONY: apt
apt:
	@missing=""; for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
