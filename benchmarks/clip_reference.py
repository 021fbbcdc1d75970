#!/usr/bin/env python3
"""Reference side of ClipSpeed (not CI): OpenAI CLIP's clip/model.py at the weights Java wrote.

Loads every tensor from <dir>/weights/<name>.npy (names in names.txt), builds the model with
clip.model.build_model in float32 (clip.load's CPU result; the fp16 round trip is skipped so the
weights equal Java's exactly), then serves requests from stdin, one per line, so the Java driver can
interleave the two sides without ever running them at the same time:
  check  -> writes ref_image_embeds.npy and ref_text_embeds.npy (outputs for pixels.npy, tokens.npy)
  image  -> encode_image on the 16 images, prints the seconds taken
  text   -> encode_text on the prompt, prints the seconds taken
  quit
Threads: torch.set_num_threads(N) with OPENBLAS_NUM_THREADS=N and OMP_WAIT_POLICY=PASSIVE in the
environment (see /work/shared/docs/dependencies.md); the driver sets them.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--clip-src", default="/tmp/forge/src/clip/clip",
                    help="folder holding openai/CLIP's model.py (gen/sources.sh exports it)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # Import model.py alone: the package's __init__ pulls in the tokenizer's ftfy.
    sys.path.insert(0, args.clip_src)
    import model as clip_model

    clip_model.convert_weights = lambda m: None  # keep float32, as .float() after clip.load on CPU
    names = open(os.path.join(args.dir, "weights", "names.txt")).read().split()
    sd = {n: torch.from_numpy(np.load(os.path.join(args.dir, "weights", n + ".npy"))) for n in names}
    model = clip_model.build_model(sd).float().eval()
    pixels = torch.from_numpy(np.load(os.path.join(args.dir, "pixels.npy")))
    tokens = torch.from_numpy(np.load(os.path.join(args.dir, "tokens.npy"))).long()
    print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "check":
                np.save(os.path.join(args.dir, "ref_image_embeds.npy"), model.encode_image(pixels).numpy())
                np.save(os.path.join(args.dir, "ref_text_embeds.npy"), model.encode_text(tokens).numpy())
                print("ok", flush=True)
            elif cmd == "image":
                start = time.perf_counter()
                model.encode_image(pixels)
                print(time.perf_counter() - start, flush=True)
            elif cmd == "text":
                start = time.perf_counter()
                model.encode_text(tokens)
                print(time.perf_counter() - start, flush=True)
            elif cmd == "quit":
                break
            else:
                print("unknown command " + cmd, flush=True)


if __name__ == "__main__":
    main()
