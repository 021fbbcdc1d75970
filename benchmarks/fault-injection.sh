#!/usr/bin/env bash
# Fault injection for training (issue 14): kills `train generate` and `train fit` with SIGKILL at
# random moments (uniform over the uninterrupted run's duration), runs each on a too-small tmpfs (full disk), resumes every time, and checks that
# the final dataset and the best checkpoint are byte-identical to an uninterrupted run's.
# Not part of CI. Documented in docs/reliability.md.
#
#   benchmarks/fault-injection.sh [KILLS] [WORK]
#     KILLS  kills per command (default 5)
#     WORK   scratch folder (default /tmp/c2l-faults; wiped first)
#   SEED=n   seed of the kill moments (default 1)
#
# The full-disk part mounts tmpfs (needs root; skipped with a note otherwise).
# Exit status 0 when every comparison holds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kills="${1:-5}"
work="${2:-/tmp/c2l-faults}"
RANDOM="${SEED:-1}"
bundle="$root/examples/bundles/shapes-world"
c2l="$root/clip2latent"

gen_args=(--bundle "$bundle" --samples 2000 --shard-size 250 --seed 3 --stats-samples 1000 --batch 50)
fit_args=(--bundle "$bundle" --steps 60 --batch 64 --model tiny --checkpoint-every 10
  --validate-every 20 --holdout 100 --log-every 20 --keep 2 --seed 5 --ema-start 0
  --select negative_loss)

generate() { "$c2l" train generate "${gen_args[@]}" --out "$1"; }
fit() { "$c2l" train fit "${fit_args[@]}" --dataset "$1" --run "$2"; }

# run_and_kill MAX CMD...: runs CMD in the background and SIGKILLs it after a random moment in
# [1, MAX] s (MAX: the uninterrupted run's duration), unless it ends first.
# Returns 0 if the command completed, 1 if it was killed or failed.
run_and_kill() {
  local max="$1"
  shift
  local delay="$((RANDOM % max + 1)).$((RANDOM % 10))"
  "$@" >>"$work/log.txt" 2>&1 &
  local pid=$!
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if awk -v w="$waited" -v d="$delay" 'BEGIN { exit !(w >= d) }'; then
      # SIGKILL the JVM (the launcher execs java, so $pid is the JVM).
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "  killed after ${delay}s" | tee -a "$work/log.txt"
      return 1
    fi
    sleep 0.1
    waited="$(awk -v w="$waited" 'BEGIN { print w + 0.1 }')"
  done
  if wait "$pid"; then
    echo "  completed (kill planned at ${delay}s)" | tee -a "$work/log.txt"
    return 0
  fi
  echo "  failed on its own, see $work/log.txt" | tee -a "$work/log.txt"
  return 1
}

# sha256 of every file of a dataset folder, by name (temporary files must be gone too).
digest_dataset() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
digest_best() { (cd "$1" && sha256sum best.ckpt && grep '"step"' best.json); }

rm -rf "$work"
mkdir -p "$work"
echo "building once"
"$c2l" train --help >/dev/null 2>&1 || true

echo "reference: uninterrupted generate and fit"
start=$(date +%s)
generate "$work/ref-data" >>"$work/log.txt" 2>&1
gen_secs=$(( $(date +%s) - start ))
start=$(date +%s)
fit "$work/ref-data" "$work/ref-run" >>"$work/log.txt" 2>&1
fit_secs=$(( $(date +%s) - start ))
echo "  generate took $gen_secs s, fit $fit_secs s"

failures=0
compare() { # what, reference digest, digest
  if [ "$2" == "$3" ]; then echo "  $1: identical to the uninterrupted run"
  else echo "  $1: DIFFERS from the uninterrupted run"; diff <(echo "$2") <(echo "$3") || true
    failures=$((failures + 1)); fi
}

echo "generate: up to $kills SIGKILLs at random moments, then runs to completion"
for ((i = 1; i <= kills; i++)); do
  run_and_kill "$gen_secs" generate "$work/data" && break || true
done
generate "$work/data" >>"$work/log.txt" 2>&1
compare "dataset" "$(digest_dataset "$work/ref-data")" "$(digest_dataset "$work/data")"

echo "fit: up to $kills SIGKILLs at random moments, then runs to completion"
for ((i = 1; i <= kills; i++)); do
  run_and_kill "$fit_secs" fit "$work/ref-data" "$work/run" && break || true
done
fit "$work/ref-data" "$work/run" >>"$work/log.txt" 2>&1
compare "best checkpoint" "$(digest_best "$work/ref-run")" "$(digest_best "$work/run")"

data_kb=$(du -sk "$work/ref-data" | cut -f1)
run_kb=$(du -sk "$work/ref-run" | cut -f1)
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/disk" \
    && mount -t tmpfs -o size=$((data_kb / 2))k tmpfs "$work/disk" 2>/dev/null; then
  trap 'umount "$work/disk" 2>/dev/null || true' EXIT
  echo "full disk: generate on a $((data_kb / 2)) KB tmpfs (the dataset needs $data_kb KB), then 64 MB"
  if generate "$work/disk/data" >>"$work/log.txt" 2>&1; then
    echo "  generate did not fail on the full disk"; failures=$((failures + 1))
  else
    echo "  failed as expected: $(grep -m1 -o 'No space left on device' "$work/log.txt" || echo 'see log')"
  fi
  mount -o remount,size=64m "$work/disk"
  generate "$work/disk/data" >>"$work/log.txt" 2>&1
  compare "dataset after a full disk" "$(digest_dataset "$work/ref-data")" "$(digest_dataset "$work/disk/data")"

  echo "full disk: fit with its run folder on a $((run_kb / 2)) KB tmpfs (the run needs $run_kb KB), then 64 MB"
  rm -rf "$work/disk/data"
  mount -o remount,size=$((run_kb / 2))k "$work/disk"
  if fit "$work/ref-data" "$work/disk/run" >>"$work/log.txt" 2>&1; then
    echo "  fit did not fail on the full disk"; failures=$((failures + 1))
  else
    echo "  failed as expected: $(grep -o 'No space left on device' "$work/log.txt" | head -1 || echo 'see log')"
  fi
  mount -o remount,size=64m "$work/disk"
  fit "$work/ref-data" "$work/disk/run" >>"$work/log.txt" 2>&1
  compare "best checkpoint after a full disk" "$(digest_best "$work/ref-run")" "$(digest_best "$work/disk/run")"
else
  echo "full disk: skipped (needs root and tmpfs)"
fi

echo "kills done: $(grep -c 'killed after' "$work/log.txt"), comparisons failed: $failures (log: $work/log.txt)"
exit "$failures"
