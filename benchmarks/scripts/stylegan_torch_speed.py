"""Times NVIDIA's StyleGAN2 synthesis (the code clip2latent vendors) in PyTorch on the CPU.

Not part of CI. Needs Debian's python3-torch and the reference sources laid out by
/work/shared/fixtures/gen/sources.sh (SRC_ROOT, default /tmp/forge/src). Run with the fair thread
settings of docs/benchmarks.md, e.g.

    OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 stylegan_torch_speed.py \
        network.pkl --threads 2 --rounds 3 --batches 1

Prints one "RESULT pytorch batch B: median S s per image ..." line per batch size.
"""
import argparse
import os
import pickle
import resource
import statistics
import sys
import time

SRC_ROOT = os.environ.get("SRC_ROOT", "/tmp/forge/src")
sys.path.insert(0, os.path.join(SRC_ROOT, "c2l/clip2latent/stylegan3"))

import torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pickle")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batches", default="1")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    with open(args.pickle, "rb") as f:
        G = pickle.load(f)["G_ema"].eval()   # legacy.load_network_pkl does the same for a PyTorch pickle
    print(f"load {time.perf_counter() - t0:.2f} s, threads {torch.get_num_threads()}")
    gen = torch.Generator().manual_seed(1)
    for batch in [int(b) for b in args.batches.split(",")]:
        times, cpu = [], []
        with torch.no_grad():
            for r in range(-1, args.rounds):
                ws = G.mapping(torch.randn([batch, G.z_dim], generator=gen), None)
                s, c = time.perf_counter(), time.process_time()
                G.synthesis(ws, noise_mode="random")   # the reference default
                if r >= 0:
                    times.append((time.perf_counter() - s) / batch)
                    cpu.append((time.process_time() - c) / batch)
        print(f"RESULT pytorch batch {batch}: median {statistics.median(times):.3f} s per image "
              f"(min {min(times):.3f}, max {max(times):.3f}, {args.rounds} rounds), "
              f"cpu {statistics.median(cpu):.3f} s per image")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} kB")


if __name__ == "__main__":
    main()
