"""Times the reference clip2latent pipeline (Clip2StyleGAN.forward) on the CPU: one call of
model(prompt, n_samples_per_txt=N, cond_scale=2, truncation=1, skips=250, clip_sort=True), the
options of scripts/demo.py, after loading. Not part of CI.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 \
        reference_end_to_end.py PRIOR.ckpt STYLEGAN.pkl CLIP.pt --candidates 1 --threads 2

Needs Debian's python3-torch and the pinned reference sources (/work/shared/fixtures/gen/sources.sh);
imports them the way the fixture generator does (gen/common.py). Prints
"RESULT reference candidates N: S s per sample() ..." lines and the peak RSS.
"""
import argparse
import os
import resource
import sys
import tempfile
import time

GEN = os.environ.get("GEN", "/work/shared/fixtures/gen")
sys.path.insert(0, GEN)
from common import setup_paths  # noqa: E402

setup_paths("clip2latent")

import torch  # noqa: E402
import clip2latent.models as c2lm  # noqa: E402

YAML = """model:
  network: {{dim: 512, num_timesteps: 1000, depth: 12, dim_head: 64, heads: 12}}
  diffusion: {{image_embed_dim: 512, timesteps: 1000, cond_drop_prob: 0.2, image_embed_scale: 1.0,
    text_embed_scale: 1.0, beta_schedule: cosine, predict_x_start: true}}
data: {{sg_pkl: {sg}, clip_variant: {clip}, n_latents: 1, latent_dim: 512, latent_repeats: [{ws}]}}
train: {{znorm_embed: false, znorm_latent: true, max_it: 1000000, val_it: 10000, lr: 0.0001,
  weight_decay: 0.01, ema_update_every: 10, ema_beta: 0.9999, ema_power: 0.75}}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prior")
    ap.add_argument("stylegan")
    ap.add_argument("clip")
    ap.add_argument("--candidates", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--num-ws", type=int, default=18)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(YAML.format(sg=os.path.abspath(a.stylegan), clip=os.path.abspath(a.clip), ws=a.num_ws))
    t0 = time.perf_counter()
    model = c2lm.Clip2StyleGAN(f.name, "cpu", os.path.abspath(a.prior))
    load = time.perf_counter() - t0
    rss_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    torch.manual_seed(1)
    for r in range(a.rounds):
        t0 = time.perf_counter()
        with torch.no_grad():
            images, scores = model("an old man", n_samples_per_txt=a.candidates, cond_scale=2.0,
                                   truncation=1.0, skips=250, clip_sort=True)
        dt = time.perf_counter() - t0
        print(f"RESULT reference candidates {a.candidates}: {dt:.2f} s per sample() "
              f"(round {r + 1}, {a.threads} threads, images {tuple(images.shape)})", flush=True)
    print(f"reference load {load:.1f} s, peak RSS after load {rss_load:.0f} MB, "
          f"at the end {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
