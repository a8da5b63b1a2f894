# Gossip Glomers in Rust: build, run every challenge, check, benchmark.
#
#   make test-all        every challenge with its exact command line
#   make check           fmt, clippy -D warnings, tests (the one gate)
#   make bench           every benchmark
#
# One challenge: make test-echo, test-unique-ids, test-broadcast (or -3a … -3e),
# test-counter, test-pn-counter, test-kafka. One benchmark: make bench-runtime,
# bench-harness, bench-broadcast, bench-counter, bench-kafka.
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

.PHONY: help build maelstrom runner \
	test-echo test-unique-ids test-broadcast test-broadcast-3a test-broadcast-3b \
	test-broadcast-3c test-broadcast-3d test-broadcast-3e test-counter test-pn-counter test-kafka \
	test-all check fmt clippy test bench bench-runtime bench-harness bench-broadcast bench-counter \
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

test-echo: build runner
	$(call challenge,1,-w echo --bin $(RELEASE_DIR)/echo --node-count 1 --time-limit 10)

test-unique-ids: build runner
	$(call challenge,2,-w unique-ids --bin $(RELEASE_DIR)/unique-ids --time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition)

test-broadcast: test-broadcast-3a test-broadcast-3b test-broadcast-3c test-broadcast-3d test-broadcast-3e

test-broadcast-3a: build runner
	$(call challenge,3a,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 1 --time-limit 20 --rate 10)

test-broadcast-3b: build runner
	$(call challenge,3b,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 5 --time-limit 20 --rate 10)

test-broadcast-3c: build runner
	$(call challenge,3c,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 5 --time-limit 20 --rate 10 --nemesis partition)

# 3d must also stay correct under partitions, so it runs twice.
test-broadcast-3d: build runner
	$(call challenge,3d,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100)
	@echo "3d must also stay correct under partitions; judged like 3c (valid, nothing lost):"
	$(call challenge,3c,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100 --nemesis partition)

test-broadcast-3e: build runner
	$(call challenge,3e,-w broadcast --bin $(RELEASE_DIR)/broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100)

test-counter: build runner
	$(call challenge,4,-w g-counter --bin $(RELEASE_DIR)/g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition)

test-pn-counter: build runner
	$(call challenge,4,-w pn-counter --bin $(RELEASE_DIR)/g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition)

# 5b and 5c share a command: 5c is judged on its figures (make bench-kafka).
# 5b must also stay correct under partitions, judged like 5b.
test-kafka: build runner
	$(call challenge,5a,-w kafka --bin $(RELEASE_DIR)/kafka --node-count 1 --concurrency 2n --time-limit 20 --rate 1000)
	$(call challenge,5b,-w kafka --bin $(RELEASE_DIR)/kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000)
	$(call challenge,5c,-w kafka --bin $(RELEASE_DIR)/kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000)
	@echo "5b must also stay correct under partitions; judged like 5b:"
	$(call challenge,5b,-w kafka --bin $(RELEASE_DIR)/kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --nemesis partition)

test-all: test-echo test-unique-ids test-broadcast test-counter test-pn-counter test-kafka

# --- The gate -----------------------------------------------------------------

check: fmt clippy test

fmt:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test:
	$(CARGO) test --workspace

# --- Benchmarks: figures, not pass/fail tests ---------------------------------

bench: bench-runtime bench-harness bench-broadcast bench-counter bench-kafka

bench-runtime:
	$(CARGO) bench -p echo --bench runtime

bench-harness: build
	$(HARNESS) bench --bin $(RELEASE_DIR)/flood --node-count 25 --time-limit 10

bench-broadcast:
	$(CARGO) bench -p broadcast --bench broadcast

bench-counter:
	$(CARGO) bench -p g-counter --bench counter

bench-kafka:
	$(CARGO) bench -p kafka --bench kafka

clean:
	$(CARGO) clean
	rm -rf store
