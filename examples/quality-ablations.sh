#!/usr/bin/env bash
# The paper's ablations on a shapes-world bundle, one command per row of the "ablations" table of
# docs/quality.md (each row records the command that made it). Sampling-only rows: guidance 1, 2
# and 3, and 4 steps (the reference's skip 250) against 50 steps. With a build's --work folder,
# also pseudo-text alpha 0, 0.5 and 1: the prior retrained from that build's CLIP and (w, e)
# dataset (copied first, so the build's own folder is left as it was).
#   examples/quality-ablations.sh BUNDLE [WORK]        e.g. examples/bundles/shapes-world
# Environment: PRIOR_STEPS (alpha rows' prior steps, default 1500), OUT (retrained bundles,
# default /tmp/clip2latent-ablations), RECORD (default docs/quality.md), SAMPLES (default 4),
# BUILD_ARGS (more build-shapes options, the same as the build that made WORK, e.g. --quick),
# ALPHAS (default "0 0.5 1"). OMP_NUM_THREADS=1 keeps SameDiff from spinning on a busy machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="${1:?usage: $0 BUNDLE [WORK]}"
work="${2:-}"
record="${RECORD:-docs/quality.md}"
samples="${SAMPLES:-4}"
out="${OUT:-/tmp/clip2latent-ablations}"
steps="${PRIOR_STEPS:-1500}"
run() { echo "+ $*" >&2; "$@"; }
q="$root/clip2latent quality --set compositional --bundle $bundle --samples $samples --candidates 1"
for g in 1 2 3; do
  run $q --guidance "$g" --record "$record" --table ablations
done
run $q --steps 50 --record "$record" --table ablations
if [ -n "$work" ]; then
  copy="$out/work"
  if [ ! -d "$copy/dataset" ]; then
    mkdir -p "$copy"
    cp -r "$work/stage1" "$work/dataset" "$copy/"
  fi
  for a in ${ALPHAS:-0 0.5 1}; do
    if [ ! -d "$out/alpha-$a" ]; then
      run "$root/clip2latent" build-shapes --work "$copy" --alpha "$a" --prior-steps "$steps" ${BUILD_ARGS:-} \
        --out "$out/alpha-$a"
    fi
    run "$root/clip2latent" quality --set compositional --bundle "$out/alpha-$a" \
      --samples "$samples" --candidates 1 --record "$record" --table ablations \
      --run "alpha $a, prior $steps steps from $(basename "$work"), guidance 2, skip 250"
  done
fi
