#!/usr/bin/env bash
# DJL 0.36.0 + PyTorch engine (libtorch 2.7.1 CPU, bundled from Maven Central: no download at run time) peer.
#
#   bash run.sh tiny|small|big|cnn|lstm|eval-cnn [WARMUP_S TIMED_S]
#                                                    one step config: ... RESULT ms_per_step peak_rss_mb
#   bash run.sh mnist [DATA_DIR [SEED [epoch|step|none [DROPOUT]]]] ndgrad's main job: per-epoch lines, then
#                                                    RESULT train_seconds test_accuracy peak_rss_mb elapsed_seconds
# Env knobs:
#   DJL_THREADS=1       libtorch intra-op threads (-Dai.djl.pytorch.num_threads and OMP_NUM_THREADS); inter-op
#                       threads are always 1 (-Dai.djl.pytorch.num_interop_threads=1)
#   DJL_MALLOC=tuned    glibc malloc without trimming and with a 32 MiB mmap threshold (see README: without it
#                       libtorch's per-step tensor allocations page-fault, and DJL's first ~500 Adam steps are ~10x slower)
#   JAVA_OPTS=...       extra JVM options;  LOG=warn  DJL's slf4j-simple log level (info shows the library extraction)
# The first run builds with Maven (needs Maven Central); later builds are offline (mvn -o) and only when a source
# file is newer than target/classpath.txt. DJL runs offline (-Dai.djl.offline=true, DJL_OFFLINE=true) with its
# telemetry off (OPT_OUT_TRACKING=true); it extracts libtorch from the jar to ~/.djl.ai/pytorch once.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -f target/classpath.txt || -n $(find pom.xml src -newer target/classpath.txt -print -quit) ]]; then
  mvn -B -q -o package >&2 || mvn -B -q package >&2
  touch target/classpath.txt   # the dependency plugin leaves an unchanged file's time alone
fi
case ${1:-} in
  tiny|small|big|cnn|lstm|eval-cnn) main=peers.djl.DjlStep ;;
  mnist) main=peers.djl.DjlMnist; shift ;;
  *) echo "usage: bash run.sh tiny|small|big|cnn|lstm|eval-cnn [WARMUP_S TIMED_S] | mnist [DATA_DIR [SEED [epoch|step|none [DROPOUT]]]]" >&2; exit 2 ;;
esac
T=${DJL_THREADS:-1}
malloc=()
if [[ ${DJL_MALLOC:-} == tuned ]]; then malloc=(MALLOC_TRIM_THRESHOLD_=4294967295 MALLOC_MMAP_THRESHOLD_=33554432); fi
# shellcheck disable=SC2086
exec env "${malloc[@]}" DJL_OFFLINE=true OPT_OUT_TRACKING=true PYTORCH_FLAVOR=cpu PYTORCH_VERSION=2.7.1 \
  OMP_NUM_THREADS="$T" java ${JAVA_OPTS:-} -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$T" \
  -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel="${LOG:-warn}" \
  -cp "target/classes:$(cat target/classpath.txt)" "$main" "$@"
