# SPDX-License-Identifier: MIT
# The entry points. CMake does the building; this file only names the steps.
#   make          build build/hallq
#   make run      install what is missing, build, start hallq with a demo hall on :8080
#   make test     install, then build normally and with ASan+UBSan and run every test in both
#   make bench    benchmarks (bench/), figures for docs/PERFORMANCE.md
#   make fuzz     run every libFuzzer target for FUZZ_SECONDS (default 300) each
#   make soak     a long soak: a hall's day for SOAK_SECONDS (default 1200) with kill -9 and restarts
JOBS ?= $(shell nproc)
DEMO_DB ?= demo/hallq-demo.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all setup build build-asan run test test-build test-asan bench fuzz soak format clean

all: build

setup:
	@scripts/setup.sh

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j$(JOBS)

build-asan:
	@CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHQ_SANITIZE=ON -DHQ_FUZZ=ON -DHQ_BROWSER_TESTS=OFF >/dev/null
	@cmake --build build-asan -j$(JOBS)

run: setup build
	@mkdir -p $(dir $(DEMO_DB))
	@test -f $(DEMO_DB) || HALLQ_ADMIN_PASSWORD=$${HALLQ_ADMIN_PASSWORD:-admin123} build/hallq demo --db $(DEMO_DB)
	build/hallq serve --db $(DEMO_DB) --listen $(LISTEN)

test: setup
	@$(MAKE) --no-print-directory test-build test-asan

test-build: build
	cd build && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS)

bench: setup build
	bench/run.sh

fuzz: setup
	@CC=clang cmake -S . -B build-fuzz -DHQ_FUZZ=ON -DHQ_SANITIZE=ON -DHQ_BROWSER_TESTS=OFF \
	  -DHQ_FUZZ_RUNS=-1 -DHQ_FUZZ_TIME=$${FUZZ_SECONDS:-300} >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	cd build-fuzz && ctest -R fuzz --output-on-failure

soak: setup build
	HQ_SOAK_SECONDS=$${SOAK_SECONDS:-1200} HALLQ_BIN=$(CURDIR)/build/hallq HQ_SRC=$(CURDIR) \
	  node --test --test-reporter=spec tests/crash/soak.test.mjs

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.c' 'tools/*.c' 'bench/*.c')

clean:
	rm -rf build build-asan build-fuzz
