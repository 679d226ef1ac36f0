"""Thread setup and timing shared by the PyTorch baselines of bench/ (pytorch_lenet_train,
campaign_torch, pvf_torch, onnx_torch).

A baseline times one step function at every thread count it is given, in the same
process. The counts take turns over the rounds (1, N, 1, N, ...), so a change in the
machine's load reaches every count, and each count reports its best round, one line each:

  threads=<t> rate=<work per wall second> cpu_rate=<work per CPU second> seconds=<timed> work=<units>

(bench/bench_common.h reads these lines). PyTorch's multi-threaded mode is no safe
default: on a 2-core machine with other work running, its OpenMP threads wait for each
other and 2 threads can run 10x slower than 1, so every benchmark times both.
"""
import time

import torch


def add_timing_arguments(parser, seconds=2.0):
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="thread counts to time, in this process, one after the other")
    parser.add_argument("--seconds", type=float, default=seconds, help="timed seconds per thread count and round")
    parser.add_argument("--rounds", type=int, default=2, help="turns each thread count takes")


def time_one(step, seconds, min_steps=3):
    """Runs step() (one unit of the baseline's work, returning its work units) for at least
    `seconds` and `min_steps` calls: the rates per wall and per CPU second."""
    step()  # warm-up at this thread count: OpenMP's team, the caches
    work = steps = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        work += step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and steps >= min_steps:
            break
    cpu = max(time.process_time() - cpu_start, 1e-9)
    return {"rate": work / elapsed, "cpu_rate": work / cpu, "seconds": elapsed, "work": work}


def time_threads(step, args):
    """Times `step` at each of args.threads over args.rounds turns; prints and returns each
    count's best round (the highest rate per wall second)."""
    best = {}
    for _ in range(max(1, args.rounds)):
        for threads in args.threads:
            torch.set_num_threads(threads)
            run = time_one(step, args.seconds)
            if threads not in best or run["rate"] > best[threads]["rate"]:
                best[threads] = run
    for threads in args.threads:
        r = best[threads]
        print(f"threads={threads} rate={r['rate']:.1f} cpu_rate={r['cpu_rate']:.1f} seconds={r['seconds']:.3f} "
              f"work={r['work']}", flush=True)
    return best
