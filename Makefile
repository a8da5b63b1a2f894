# Gossip Glomers in Rust: build, run every challenge, check, benchmark.
#
#   make test-all        every challenge with its exact command line, real processes in real time
#   make sim-all         every challenge in the simulation, over many seeds, in seconds
#   make check           fmt, clippy -D warnings, docs, tests (the one gate)
#   make bench           every benchmark
#
# One challenge: make test-echo, test-unique-ids, test-broadcast (or -3a … -3e),
# test-counter, test-pn-counter, test-kafka (5a-5c), test-txn (or -6a … -6c). In the simulation: make
# sim-echo, sim-unique-ids, sim-broadcast, sim-counter, sim-kafka, sim-txn. One benchmark: make
# bench-runtime, bench-harness, bench-sim, bench-broadcast, bench-counter, bench-kafka.
#
# FAST=1 make test-all   the same challenges with 5 s time limits, run side by side
#                        (about a minute); the verdicts and criteria are judged as usual.
# SEEDS=0..20            the seed range of the sim targets (default 0..100; kafka and
#                        txn use SEEDS_HEAVY, default 0..20).
# BROADCAST_BIN=...      (and ECHO_BIN, UNIQUE_IDS_BIN, COUNTER_BIN, KAFKA_BIN, TXN_BIN) a node binary
#                        to put in place of the project's own, e.g. one broken on purpose.
#
# RUNNER picks who runs the challenges:
#   RUNNER=maelstrom     the real Maelstrom in ./maelstrom (make maelstrom installs it; needs Java)
#   RUNNER=bundled       the bundled Rust harness, maelstrom-tests (no JVM, no internet)
#   RUNNER=auto          (default) Maelstrom when it is installed and Java is present, else bundled

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
RELEASE_DIR := target/release
HARNESS := $(RELEASE_DIR)/maelstrom-tests

ECHO_BIN ?= $(RELEASE_DIR)/echo
UNIQUE_IDS_BIN ?= $(RELEASE_DIR)/unique-ids
BROADCAST_BIN ?= $(RELEASE_DIR)/broadcast
COUNTER_BIN ?= $(RELEASE_DIR)/g-counter
KAFKA_BIN ?= $(RELEASE_DIR)/kafka
TXN_BIN ?= $(RELEASE_DIR)/txn
SEEDS ?= 0..100
# kafka and txn runs carry about 20,000 operations each: fewer seeds.
SEEDS_HEAVY ?= 0..20

# FAST=1: every time limit becomes 5 s, and the challenge runs go side by side. The
# final phase keeps its 10 s of quiet, so a broadcast or counter run still takes ~16 s.
ifeq ($(FAST),1)
  T10 := 5
  T20 := 5
  T30 := 5
  MAKEFLAGS += --jobs=12 --output-sync=target
else
  T10 := 10
  T20 := 20
  T30 := 30
endif

# --- Maelstrom itself --------------------------------------------------------
# The release the Fly.io challenges were written against. The tarball's
# SHA-256 must be pinned here before `make maelstrom` installs anything; an
# unverified download is never run.
MAELSTROM_VERSION ?= 0.2.3
MAELSTROM_URL ?= https://github.com/jepsen-io/maelstrom/releases/download/v$(MAELSTROM_VERSION)/maelstrom.tar.bz2
MAELSTROM_SHA256 ?=
MAELSTROM_DIR := maelstrom
MAELSTROM_BIN := $(MAELSTROM_DIR)/maelstrom

HAVE_JAVA := $(shell command -v java >/dev/null 2>&1 && echo yes)
RUNNER ?= auto
ifeq ($(RUNNER),auto)
  ifeq ($(wildcard $(MAELSTROM_BIN))$(HAVE_JAVA),$(MAELSTROM_BIN)yes)
    RUNNER_RESOLVED := maelstrom
  else
    RUNNER_RESOLVED := bundled
  endif
else
  RUNNER_RESOLVED := $(RUNNER)
endif

ifeq ($(RUNNER_RESOLVED),maelstrom)
  RUN = $(MAELSTROM_BIN) test
else ifeq ($(RUNNER_RESOLVED),bundled)
  RUN = $(HARNESS) test
else
  $(error RUNNER must be auto, maelstrom or bundled, not "$(RUNNER)")
endif

# challenge(number, arguments): runs one challenge's command and fails unless
# the run is valid and meets the challenge's figures (maelstrom.md §7). The
# real Maelstrom has no such flag, so its results.edn is judged afterwards.
define challenge
	@echo "== challenge $(1) ($(RUNNER_RESOLVED)): $(2)"
	@if [ "$(RUNNER_RESOLVED)" = maelstrom ]; then \
	  $(RUN) $(2) && $(HARNESS) criteria store/latest --challenge $(1); \
	else \
	  $(RUN) $(2) --check $(1); \
	fi
endef

.PHONY: help build maelstrom runner fast-note \
	test-echo test-unique-ids test-broadcast test-broadcast-3a test-broadcast-3b \
	test-broadcast-3c test-broadcast-3d test-broadcast-3e test-counter test-pn-counter test-kafka \
	test-txn test-txn-6a test-txn-6b test-txn-6c test-all \
	sim-echo sim-unique-ids sim-broadcast sim-counter sim-kafka sim-txn sim-all \
	check fmt clippy doc test bench bench-runtime bench-harness bench-sim bench-broadcast bench-counter \
	bench-kafka clean

help:
	@awk '/^#/ { sub(/^# ?/, ""); print; next } { exit }' Makefile

build:
	$(CARGO) build --release --workspace --bins

runner:
	@echo "challenges run on: $(RUNNER_RESOLVED)$(if $(filter bundled,$(RUNNER_RESOLVED)), (the bundled harness; make maelstrom installs the real one),)"

# Downloads, verifies and unpacks Maelstrom. Offline it fails within seconds.
maelstrom: $(MAELSTROM_BIN)

$(MAELSTROM_BIN):
	@command -v java >/dev/null 2>&1 || { echo "make maelstrom: Maelstrom needs Java (a JDK 11 or later): install one first" >&2; exit 1; }
	@if [ -z "$(MAELSTROM_SHA256)" ]; then \
	  echo "make maelstrom: no SHA-256 is pinned for maelstrom v$(MAELSTROM_VERSION); run 'make maelstrom MAELSTROM_SHA256=<sha256 of $(MAELSTROM_URL)>' with a checksum from a source you trust" >&2; exit 1; fi
	@tarball=$$(mktemp) && trap 'rm -f "$$tarball"' EXIT && \
	  curl -fsL --connect-timeout 5 --max-time 300 -o "$$tarball" "$(MAELSTROM_URL)" || { \
	    echo "make maelstrom: could not download $(MAELSTROM_URL) (offline?); the challenges will run on the bundled harness (RUNNER=bundled)" >&2; exit 1; } && \
	  echo "$(MAELSTROM_SHA256)  $$tarball" | sha256sum --check --status || { \
	    echo "make maelstrom: checksum mismatch for $(MAELSTROM_URL): expected $(MAELSTROM_SHA256), got $$(sha256sum "$$tarball" | cut -d' ' -f1)" >&2; exit 1; } && \
	  tar -xjf "$$tarball"
	@for tool in gnuplot dot; do command -v $$tool >/dev/null 2>&1 || echo "make maelstrom: note: '$$tool' is missing; Maelstrom runs but skips its plots" >&2; done
	@echo "maelstrom v$(MAELSTROM_VERSION) installed in ./$(MAELSTROM_DIR)"

# --- The challenges (maelstrom.md §7: the exact command lines) -------------

CMD_1 = -w echo --node-count 1 --time-limit $(T10)
CMD_2 = -w unique-ids --time-limit $(T30) --rate 1000 --node-count 3 --availability total --nemesis partition
CMD_3A = -w broadcast --node-count 1 --time-limit $(T20) --rate 10
CMD_3B = -w broadcast --node-count 5 --time-limit $(T20) --rate 10
CMD_3C = -w broadcast --node-count 5 --time-limit $(T20) --rate 10 --nemesis partition
CMD_3D = -w broadcast --node-count 25 --time-limit $(T20) --rate 100 --latency 100
CMD_4 = -w g-counter --node-count 3 --rate 100 --time-limit $(T20) --nemesis partition
CMD_PN = -w pn-counter --node-count 3 --rate 100 --time-limit $(T20) --nemesis partition
CMD_5A = -w kafka --node-count 1 --concurrency 2n --time-limit $(T20) --rate 1000
CMD_5B = -w kafka --node-count 2 --concurrency 2n --time-limit $(T20) --rate 1000
CMD_6A = -w txn-rw-register --node-count 1 --time-limit $(T20) --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total
CMD_6B = -w txn-rw-register --node-count 2 --concurrency 2n --time-limit $(T20) --rate 1000 --consistency-models read-uncommitted
CMD_6C = -w txn-rw-register --node-count 2 --concurrency 2n --time-limit $(T20) --rate 1000 --consistency-models read-committed --availability total --nemesis partition

fast-note:
	@if [ "$(FAST)" = 1 ]; then echo "FAST=1: time limits are 5 s instead of 10-30 s; each run is judged by its challenge's criteria as usual, on a fifth of the load (2 and 5c see far fewer operations, 3d/3e fewer latency samples)."; fi

test-echo: build runner fast-note
	$(call challenge,1,--bin $(ECHO_BIN) $(CMD_1))

test-unique-ids: build runner fast-note
	$(call challenge,2,--bin $(UNIQUE_IDS_BIN) $(CMD_2))

test-broadcast: test-broadcast-3a test-broadcast-3b test-broadcast-3c test-broadcast-3d test-broadcast-3e

test-broadcast-3a: build runner fast-note
	$(call challenge,3a,--bin $(BROADCAST_BIN) $(CMD_3A))

test-broadcast-3b: build runner fast-note
	$(call challenge,3b,--bin $(BROADCAST_BIN) $(CMD_3B))

test-broadcast-3c: build runner fast-note
	$(call challenge,3c,--bin $(BROADCAST_BIN) $(CMD_3C))

# 3d must also stay correct under partitions, so it runs twice.
test-broadcast-3d: build runner fast-note
	$(call challenge,3d,--bin $(BROADCAST_BIN) $(CMD_3D))
	@echo "3d must also stay correct under partitions; judged like 3c (valid, nothing lost):"
	$(call challenge,3c,--bin $(BROADCAST_BIN) $(CMD_3D) --nemesis partition)

test-broadcast-3e: build runner fast-note
	$(call challenge,3e,--bin $(BROADCAST_BIN) $(CMD_3D))

test-counter: build runner fast-note
	$(call challenge,4,--bin $(COUNTER_BIN) $(CMD_4))

test-pn-counter: build runner fast-note
	$(call challenge,4,--bin $(COUNTER_BIN) $(CMD_PN))

# 5b and 5c share a command: 5c is judged on its figures too (5c-strict is this
# project's own bound: ≤ 1 servers msgs/op at ≥ 0.999 availability; make bench-kafka).
# 5b must also stay correct under partitions, judged like 5b.
test-kafka: build runner fast-note
	$(call challenge,5a,--bin $(KAFKA_BIN) $(CMD_5A))
	$(call challenge,5b,--bin $(KAFKA_BIN) $(CMD_5B))
	$(call challenge,5c,--bin $(KAFKA_BIN) $(CMD_5B))
	@echo "5b must also stay correct under partitions; judged like 5b:"
	$(call challenge,5b,--bin $(KAFKA_BIN) $(CMD_5B) --nemesis partition)

test-txn: test-txn-6a test-txn-6b test-txn-6c

test-txn-6a: build runner fast-note
	$(call challenge,6a,--bin $(TXN_BIN) $(CMD_6A))

# 6b is run as the challenge page runs it: first without faults, then partitioned.
test-txn-6b: build runner fast-note
	$(call challenge,6b,--bin $(TXN_BIN) $(CMD_6B))
	$(call challenge,6b,--bin $(TXN_BIN) $(CMD_6B) --availability total --nemesis partition)

test-txn-6c: build runner fast-note
	$(call challenge,6c,--bin $(TXN_BIN) $(CMD_6C))

test-all: test-echo test-unique-ids test-broadcast test-counter test-pn-counter test-kafka test-txn

# --- The same challenges in the simulation: every seed of $(SEEDS) ------------
# sim(challenge, binary, command[, seeds]): the seeds that are not valid (the valid ones are
# counted, not listed), and the replay command of each. Exit 1 if any seed is not valid.
define sim
	@echo "== challenge $(1) (simulation, seeds $(or $(4),$(SEEDS))): $(2) sim $(3) --check $(1)"
	@$(2) sim $(3) --seeds $(or $(4),$(SEEDS)) --check $(1) | grep -v -E '^(seed [0-9]+: valid;|Simulating )'
endef

sim-echo: build
	$(call sim,1,$(ECHO_BIN),$(CMD_1))

sim-unique-ids: build
	$(call sim,2,$(UNIQUE_IDS_BIN),$(CMD_2))

sim-broadcast: build
	$(call sim,3a,$(BROADCAST_BIN),$(CMD_3A))
	$(call sim,3b,$(BROADCAST_BIN),$(CMD_3B))
	$(call sim,3c,$(BROADCAST_BIN),$(CMD_3C))
	$(call sim,3d,$(BROADCAST_BIN),$(CMD_3D))
	$(call sim,3e,$(BROADCAST_BIN),$(CMD_3D))
	$(call sim,3c,$(BROADCAST_BIN),$(CMD_3D) --nemesis partition)

sim-counter: build
	$(call sim,4,$(COUNTER_BIN),$(CMD_4))
	$(call sim,4,$(COUNTER_BIN),$(CMD_PN))

sim-kafka: build
	$(call sim,5a,$(KAFKA_BIN),$(CMD_5A),$(SEEDS_HEAVY))
	$(call sim,5b,$(KAFKA_BIN),$(CMD_5B),$(SEEDS_HEAVY))
	$(call sim,5c-strict,$(KAFKA_BIN),$(CMD_5B),$(SEEDS_HEAVY))
	$(call sim,5b,$(KAFKA_BIN),$(CMD_5B) --nemesis partition,$(SEEDS_HEAVY))

sim-txn: build
	$(call sim,6a,$(TXN_BIN),$(CMD_6A),$(SEEDS_HEAVY))
	$(call sim,6b,$(TXN_BIN),$(CMD_6B) --availability total --nemesis partition,$(SEEDS_HEAVY))
	$(call sim,6c,$(TXN_BIN),$(CMD_6C),$(SEEDS_HEAVY))

sim-all: sim-echo sim-unique-ids sim-broadcast sim-counter sim-kafka sim-txn

# --- The gate -----------------------------------------------------------------

check: fmt clippy doc test

fmt:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The crate docs are the reading path's other half: a link that resolves nowhere fails.
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --quiet

test:
	$(CARGO) test --workspace

# --- Benchmarks: figures, not pass/fail tests ---------------------------------

bench: bench-runtime bench-harness bench-sim bench-broadcast bench-counter bench-kafka

bench-runtime:
	$(CARGO) bench -p echo --bench runtime

bench-harness: build
	$(HARNESS) bench --bin $(RELEASE_DIR)/flood --node-count 25 --time-limit 10

# The simulation: its routing speed, and the 3d command in both modes side by side.
bench-sim: build
	$(CARGO) bench -p maelstrom-tests --bench sim_routing
	$(CARGO) bench -p maelstrom-tests --bench sim_vs_process

bench-broadcast:
	$(CARGO) bench -p broadcast --bench broadcast

bench-counter:
	$(CARGO) bench -p g-counter --bench counter

bench-kafka:
	$(CARGO) bench -p kafka --bench kafka

clean:
	$(CARGO) clean
	rm -rf store
