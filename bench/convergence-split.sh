#!/usr/bin/env bash
# Runs the convergence property in chunks, one process per seed, until a deadline, and prints each
# chunk's seed, runs, result and time, then the totals. Usage:
#   bench/convergence-split.sh RUNS_PER_CHUNK DEADLINE_EPOCH_SECONDS WORKERS [FIRST_SEED]
# with COSELL_PROPERTY_MAX_DEALS / COSELL_PROPERTY_MAX_COMMANDS as for `npm run test:convergence`.
set -u
per=${1:-100}; deadline=${2:-0}; workers=${3:-1}; seed=${4:-1}
export COSELL_PROPERTY_SHRINK=${COSELL_PROPERTY_SHRINK:-0}
export COSELL_PROPERTY_MAX_DEALS=${COSELL_PROPERTY_MAX_DEALS:-20} COSELL_PROPERTY_MAX_COMMANDS=${COSELL_PROPERTY_MAX_COMMANDS:-60}
out=${OUT:-convergence-split}
mkdir -p "$out"
worker() {
  local s=$1
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local start; start=$(date +%s)
    COSELL_PROPERTY_RUNS=$per COSELL_PROPERTY_SEED=$s npx jest test/property/convergence.test.ts -t S1-S4 >"$out/seed-$s.log" 2>&1
    local rc=$? end; end=$(date +%s)
    echo "seed $s runs $per rc $rc seconds $((end - start)) ended $(date -u +%H:%M:%S)" | tee -a "$out/summary.txt"
    s=$((s + workers))
  done
}
for ((w = 0; w < workers; w++)); do worker $((seed + w)) & done
wait
awk '{ n++; if ($6 == 0) { ok += $4 } else { bad++ } ; t += $8 } END { printf "chunks %d, passed runs %d, failed chunks %d, chunk seconds summed %d\n", n, ok, bad, t }' "$out/summary.txt" | tee -a "$out/summary.txt"
