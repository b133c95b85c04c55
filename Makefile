# sluice — build wrapper. `make demo` and `make test` do all set-up on a fresh Debian 12 machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test unit integration demo bench bench-smoke bench-http bench-s3 bench-avro bench-kafka asan asan-ci tsan asan-unit tsan-unit tsan-ci deb fuzz clean \
	asan-ci-build asan-ci-test tsan-ci-build tsan-ci-test san-ci

all: build

deps:
	@packaging/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900 $(CTEST_ARGS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration

demo: deps
	$(MAKE) build
	@bash conf/demo.sh $(BUILD_DIR)/sluice

bench: deps
	@packaging/install-deps.sh debian-packages-bench.txt
	$(MAKE) build
	@bash bench/run.sh

# http source: events/s and CPU per million events with concurrent keep-alive clients.
bench-http: build
	/usr/bin/python3 bench/http_bench.py --events 2000000 --connections 1,8,32 --batches 100,1000 \
	  --out bench/results/http-source.md

# S3 backend (s3rver on loopback) against the local backend, same agent, same corpus.
bench-s3: build
	/usr/bin/python3 bench/s3_bench.py --events 2000000 --out bench/results/s3-vs-local.md

# Kafka channel (seq -> kafka channel -> null) against kcat producing and consuming the same corpus,
# on the mock cluster helper; clock started after the consumer group joined (bench/kafka_bench.py).
bench-kafka: build
	/usr/bin/python3 bench/kafka_bench.py --events 1000000 --partitions 512 --producer sticky.partitioning.linger.ms=1 \
	  --repeat 3 --out bench/results/kafka-channel.md

# Small side-by-side run: fails only if an agent's output does not match its input.
bench-smoke: deps
	$(MAKE) build
	/usr/bin/python3 bench/harness.py --events 20000 --smoke

# Avro tier: remote agent -> avro sink -> aggregator avro source -> null, against rsyslog omfwd -> imtcp;
# rewrites the generated block of bench/RESULTS.md. BENCH_EVENTS overrides the size (default 2 M).
bench-avro: build
	/usr/bin/python3 bench/avro_tier.py --events $${BENCH_EVENTS:-2000000} --results bench/RESULTS.md

# The sanitizer builds use clang: ASan + UBSan with the flags of the fuzz build, so ccache gives
# build-asan sluice_core's objects from build-fuzz; TSan too, as clang compiles it ~30 % faster than gcc.
ASAN_FLAGS = -DSLUICE_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug
TSAN_FLAGS = -DSLUICE_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug
# Any sanitizer report fails the run. TSan: see tests/tsan/ for librdkafka (uninstrumented).
# SLUICE_TEST_TIME_SCALE: the integration tests wait 3x longer for a condition (never assert sooner).
SAN_ENV = SLUICE_TEST_TIME_SCALE=3 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan/suppressions.txt

asan:
	CC=clang CXX=clang++ $(SAN_ENV) $(MAKE) test BUILD_DIR=build-asan CMAKE_FLAGS="$(ASAN_FLAGS)"

tsan:
	CC=clang CXX=clang++ $(SAN_ENV) $(MAKE) test BUILD_DIR=build-tsan CMAKE_FLAGS="$(TSAN_FLAGS)"

# What CI runs under the sanitizers: every suite (unit, integration, chaos), building only the
# binaries the tests run (target test_binaries: no benchmarks). README "Continuous integration".
# The suites wait on peers and deadlines far more than they compute (ASan: 177 CPU-s in 291 s at
# -j 2), so SAN_JOBS tests run at once.
SAN_JOBS ?= 4
asan-ci: asan-ci-build asan-ci-test
tsan-ci: tsan-ci-build tsan-ci-test

asan-ci-build: deps
	CC=clang CXX=clang++ $(MAKE) configure BUILD_DIR=build-asan CMAKE_FLAGS="$(ASAN_FLAGS)"
	cmake --build build-asan -j $(JOBS) --target test_binaries

asan-ci-test:
	cd build-asan && $(SAN_ENV) ctest --output-on-failure -j $(SAN_JOBS) --timeout 900 $(SAN_CTEST_ARGS)

tsan-ci-build: deps
	CC=clang CXX=clang++ $(MAKE) configure BUILD_DIR=build-tsan CMAKE_FLAGS="$(TSAN_FLAGS)"
	cmake --build build-tsan -j $(JOBS) --target test_binaries

tsan-ci-test:
	cd build-tsan && $(SAN_ENV) ctest --output-on-failure -j $(SAN_JOBS) --timeout 900 $(SAN_CTEST_ARGS)

# CI's sanitizer step: the ASan build, then the ASan suite while the TSan build runs at the lowest
# CPU priority beside it (the suite leaves about half the CPU idle; nice 19 keeps the tests' share),
# then the TSan suite. The TSan build's output is in build-tsan/ci-build.log, shown if it fails.
san-ci: asan-ci-build
	@mkdir -p build-tsan
	@nice -n 19 $(MAKE) tsan-ci-build >build-tsan/ci-build.log 2>&1 & build=$$!; \
	  $(MAKE) asan-ci-test; rc=$$?; \
	  if ! wait $$build; then echo "== TSan build failed:"; tail -60 build-tsan/ci-build.log; exit 1; fi; \
	  echo "== TSan build: done beside the ASan suite"; exit $$rc
	$(MAKE) tsan-ci-test

# The unit suite alone under the sanitizers, in the build directory of `make asan` / `make tsan`.
asan-unit: deps
	CC=clang CXX=clang++ $(MAKE) configure BUILD_DIR=build-asan CMAKE_FLAGS="$(ASAN_FLAGS)"
	cmake --build build-asan -j $(JOBS) --target unit_tests
	cd build-asan && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) -L unit --timeout 300

tsan-unit: deps
	CC=clang CXX=clang++ $(MAKE) configure BUILD_DIR=build-tsan CMAKE_FLAGS="$(TSAN_FLAGS)"
	cmake --build build-tsan -j $(JOBS) --target unit_tests
	cd build-tsan && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) -L unit --timeout 300

deb: build
	cd $(BUILD_DIR) && cpack -G DEB

# libFuzzer targets built with clang + ASan/UBSan, each run for FUZZ_SECONDS from its seed corpus,
# FUZZ_JOBS targets at a time (output in build-fuzz/<target>.log, shown when a target fails). Any
# crash, leak, sanitizer report or out-of-memory fails the run, after every target has run.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz $(ASAN_FLAGS) -DSLUICE_FUZZ=ON -DBUILD_TESTING=OFF
	cmake --build build-fuzz -j $(JOBS) $$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$$//; s/^/--target /')
	@cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$$//' | $(SAN_ENV) xargs -P $(FUZZ_JOBS) -I{} sh -c '\
	  n={}; c=tests/fuzz/corpus/$${n#fuzz_}; cd ../.. && mkdir -p build-fuzz/corpus/$$n && \
	  if build-fuzz/tests/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 \
	       -artifact_prefix=build-fuzz/$$n- build-fuzz/corpus/$$n $$c >build-fuzz/$$n.log 2>&1; \
	  then echo "== $$n: $$(grep -o "Done [0-9]* runs in [0-9]* second" build-fuzz/$$n.log), no crash"; \
	  else echo "== $$n FAILED:"; tail -60 build-fuzz/$$n.log; exit 1; fi'

clean:
	rm -rf $(BUILD_DIR)
