# quench front door. On a fresh Debian 12 machine:
#   make demo   installs packages, builds the release binary, hunts the bundled sample capture
#   make test   installs packages, builds with ASan/UBSan, runs the whole suite
# Both are idempotent; scripts/install-deps.sh installs only what is missing.
SHELL := /bin/bash
JOBS ?= $(shell nproc)

.PHONY: all deps build release asan demo test test-release bench fuzz clean

all: release

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

demo: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target quench
	./build/release/quench hunt samples/demo.pcap --intel packs/intel/router-botnets.txt \
	    --out out/demo --flows

# The whole suite runs on the ASan/UBSan build; the release build is compiled too, because
# -O2 finds warnings (-Werror) that -O1 does not, and `make demo` must keep building.
test: asan
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	ctest --preset asan -j $(JOBS) --timeout 900

test-release: release
	ctest --test-dir build/release -j $(JOBS) --output-on-failure -LE bench

bench: release
	bash bench/run.sh

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build out
