#!/usr/bin/env bash
# Builds the stylegan2-orig, stylegan2-resnet and stylegan3-r fixture sets of
# clip2latent-convert/src/test/resources/reference/ (issue 10) with the shared fixture generator
# plus gen_stylegan.sgarch.diff. Python for goldens only, never in CI.
#   make.sh OUT     GEN=<shared fixtures/gen> (default /work/shared/fixtures/gen), PYTHON, SRC_ROOT as make-set.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "${1:?usage: make.sh OUT}"; out="$(cd "$1" && pwd)"
GEN="${GEN:-/work/shared/fixtures/gen}"
PY="${PYTHON:-/usr/bin/python3}"
export SRC_ROOT="${SRC_ROOT:-/tmp/forge/src}"
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
bash "$GEN/sources.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$GEN" "$work/gen"
cp "$HERE/sgarch.json" "$work/gen/configs/sgarch.json"
# the diff's paths are absolute; apply it to the copy by file name
patch "$work/gen/gen_stylegan.py" < "$HERE/gen_stylegan.sgarch.diff"
for set in stylegan2-orig stylegan2-resnet stylegan3-r; do
    rm -rf "$out/$set"
    (cd "$work/gen" && "$PY" gen_stylegan.py --family "${set%%-*}" --section "$set" \
        --config configs/sgarch.json --out "$out/$set")
done
"$PY" "$work/gen/strip_stylegan_source.py" "$out"/*/network-snapshot-025000.pkl
"$PY" "$HERE/finalize.py" "$out" stylegan2-orig stylegan2-resnet stylegan3-r
echo "wrote $out"
