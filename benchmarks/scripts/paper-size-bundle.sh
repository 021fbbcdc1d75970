#!/usr/bin/env bash
# A bundle at the published (paper) size with RANDOM weights, for benchmarks: prior dim 512, depth 12,
# heads 12, dim_head 64; StyleGAN2 1024x1024 config F (w_dim 512, 18 ws); CLIP with ViT-B/32's
# dimensions. Never commit its output (about 1 GB).
#
#   benchmarks/scripts/paper-size-bundle.sh [WORK=/tmp/c2l-paper]
#
# Makes the three source files with the reference generator scripts (/work/shared/fixtures/gen:
# Debian's python3-torch, the pinned reference sources) unless WORK/src already holds them, then runs
# the one import command. Files made earlier can be reused by linking them into WORK/src:
#   WORK/src/prior/prior.ckpt                  (gen_prior.py, the "prior" section below)
#   WORK/src/stylegan2/sg2-1024-random.pkl     (gen_stylegan.py --family stylegan2, 1024 config F)
#   WORK/src/clip/ViT-B-32-random.pt           (gen_clip.py, ViT-B/32 dimensions)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-/tmp/c2l-paper}"
gen=/work/shared/fixtures/gen
export SRC_ROOT="${SRC_ROOT:-/tmp/forge/src}" PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$work/src"
config="$work/paper.json"
/usr/bin/python3 - "$gen/configs/dev.json" "$config" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# The published prior (config/model/mid.yaml) and its generator and CLIP.
d["prior"].update(dim=512, depth=12, heads=12, dim_head=64, timesteps=1000)
d["stylegan2"].update(z_dim=512, w_dim=512, img_resolution=1024, mapping_layers=8,
                      channel_base=32768, channel_max=512, flavour="legacy-convert",
                      file="sg2-1024-random.pkl")
d["clip"].update(embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768,
                 vision_patch_size=32, context_length=77, vocab_size=49408,
                 transformer_width=512, transformer_layers=12,
                 archive_name="ViT-B-32-random.pt",
                 state_dict_name="ViT-B-32-random-vocab512-state_dict.pt")
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
cd "$gen"
bash "$gen/sources.sh"
[ -f "$work/src/clip/ViT-B-32-random.pt" ] || \
  /usr/bin/python3 gen_clip.py --config "$config" --out "$work/src/clip"
[ -f "$work/src/stylegan2/sg2-1024-random.pkl" ] || \
  /usr/bin/python3 gen_stylegan.py --family stylegan2 --phase build --config "$config" --out "$work/src/stylegan2"
[ -f "$work/src/prior/prior.ckpt" ] || \
  /usr/bin/python3 gen_prior.py --config "$config" --root "$work/src"
rm -rf "$work/bundle"
cd "$root"
/usr/bin/time -v ./clip2latent import \
  --prior "$work/src/prior/prior.ckpt" \
  --stylegan "$work/src/stylegan2/sg2-1024-random.pkl" \
  --clip "$work/src/clip/ViT-B-32-random.pt" \
  --out "$work/bundle" --id paper-size-random 2> >(tee "$work/import-time.txt" >&2)
du -sh "$work/bundle"
