#!/usr/bin/env bash
# One sample() at the paper size, this project against the reference PyTorch pipeline, same files
# (benchmarks/scripts/paper-size-bundle.sh), same thread count, interleaved rounds (never both at
# once). Not part of CI. Prints each side's per-call seconds (after loading; JVM and Python start-up
# and model loading excluded) and each side's peak RSS.
#
#   benchmarks/scripts/end-to-end-speed.sh [WORK=/tmp/c2l-paper] [candidates=1] [pairs=2] [threads=2]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-/tmp/c2l-paper}"; candidates="${2:-1}"; pairs="${3:-2}"; threads="${4:-2}"
for i in $(seq "$pairs"); do
  /usr/bin/time -f "java peak RSS %M kB" "$root/clip2latent" "an old man" --bundle "$work/bundle" \
    --out "$work/java-$candidates.png" --candidates "$candidates" --threads "$threads" --seed "$i" \
    2>&1 | grep -E "timings|peak RSS"
  # Fair PyTorch threading on few cores (docs/benchmarks.md): without these it busy-waits.
  OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/python3 "$here/reference_end_to_end.py" "$work/src/prior/prior.ckpt" \
    "$work/src/stylegan2/sg2-1024-random.pkl" "$work/src/clip/ViT-B-32-random.pt" \
    --candidates "$candidates" --threads "$threads" 2>&1 | grep -E "RESULT|RSS"
done
