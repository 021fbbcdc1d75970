#!/usr/bin/env bash
# StyleGAN2 or StyleGAN3 synthesis at the published size: NVIDIA's PyTorch code against this
# project's ONNX graph in ONNX Runtime, same pickle (random weights), same thread count, in
# interleaved rounds (never both at once). Not part of CI. Prints each side's RESULT lines and the
# ratio of the medians (wall time and process CPU time per image).
#
#   benchmarks/scripts/stylegan-speed.sh NETWORK.pkl SYNTHESIS.onnx [pairs=3] [threads=2] [batch=1]
#
# NETWORK.pkl: e.g. made by /work/shared/fixtures/gen/gen_stylegan.py --phase build with a 1024
# config F ("legacy-convert" flavour, z_dim = w_dim = 512, channel_base 32768, channel_max 512), or
# the LHQ 256 StyleGAN3-T configuration of docs/stylegan.md (the PyTorch side then runs the
# reference's CPU path of filtered_lrelu, _filtered_lrelu_ref).
# SYNTHESIS.onnx: that pickle's G_ema synthesis written by this project's writer:
#   java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.StyleGanGraphWrite \
#       stylegan2|stylegan3 NETWORK.pkl SYNTHESIS.onnx
# Needs benchmarks/target/benchmarks.jar (mvn -pl benchmarks -am package -DskipTests) and Debian's
# python3-torch with the reference sources (/work/shared/fixtures/gen/sources.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pkl="$1"; onnx="$2"; pairs="${3:-3}"; threads="${4:-2}"; batch="${5:-1}"
jar="$here/../target/benchmarks.jar"
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$(mktemp -d)}"
out="$(mktemp)"
for i in $(seq "$pairs"); do
  # Fair PyTorch threading on few cores (docs/benchmarks.md): without these it busy-waits.
  OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/python3 "$here/stylegan_torch_speed.py" "$pkl" --threads "$threads" --rounds 1 --batches "$batch" \
    2>&1 | grep -v "CUDA" | tee -a "$out"
  java -Xmx1g -cp "$jar" io.github.clip2latent.benchmarks.StyleGanSynthesisSpeed "$onnx" "$threads" 1 "$batch" \
    2>&1 | tee -a "$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
t = {"pytorch": [], "onnxruntime": []}
c = {"pytorch": [], "onnxruntime": []}
for line in open(sys.argv[1]):
    m = re.match(r"RESULT (\w+) batch \d+: median ([\d.]+).*cpu ([\d.]+)", line)
    if m:
        t[m.group(1)].append(float(m.group(2)))
        c[m.group(1)].append(float(m.group(3)))
for name, d in (("wall", t), ("cpu", c)):
    pt, ort = statistics.median(d["pytorch"]), statistics.median(d["onnxruntime"])
    print(f"{name}: pytorch {d['pytorch']} onnxruntime {d['onnxruntime']}")
    print(f"RATIO {name} onnxruntime / pytorch = {ort / pt:.2f} (medians {ort:.2f} s / {pt:.2f} s per image)")
PY
