#!/usr/bin/python3
"""Python multiprocessing doing the same work as bench/process_bench and bench/bus_bench, for
bench/run_all.sh. Prints one line per measurement: "<name> <seconds per round>".

  process_per_call  100 calls, a multiprocessing.Process per call returning its result over a
                    Pipe (what pyATS pcall does)
  pool_map          Pool.map of the same 100 calls (fork context, one worker per CPU)
  queue_events      4 processes each put 250,000 small events on a multiprocessing.Queue that
                    the parent drains
"""
import multiprocessing as mp
import sys
import time

CALLS = 100


def trivial(i):
    return i


def _call_and_send(conn, i):
    conn.send(trivial(i))
    conn.close()


def process_per_call():
    ctx = mp.get_context("fork")
    procs, conns = [], []
    for i in range(CALLS):
        parent_end, child_end = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_call_and_send, args=(child_end, i))
        p.start()
        child_end.close()
        procs.append(p)
        conns.append(parent_end)
    results = [c.recv() for c in conns]
    for p in procs:
        p.join()
    assert results == list(range(CALLS))


def pool_map():
    with mp.get_context("fork").Pool() as pool:
        assert pool.map(trivial, range(CALLS)) == list(range(CALLS))


def _put_events(queue, count):
    for i in range(count):
        queue.put((1, i & 3))
    queue.put(None)


def queue_events(children=4, per_child=250000):
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_put_events, args=(queue, per_child)) for _ in range(children)]
    for p in procs:
        p.start()
    done = received = 0
    while done < children:
        item = queue.get()
        if item is None:
            done += 1
        else:
            received += 1
    for p in procs:
        p.join()
    assert received == children * per_child


def measure(name, fn, rounds):
    fn()  # warm-up
    start = time.monotonic()
    for _ in range(rounds):
        fn()
    print(f"{name} {(time.monotonic() - start) / rounds:.6f}", flush=True)


if __name__ == "__main__":
    which = sys.argv[1:] or ["process_per_call", "pool_map", "queue_events"]
    if "process_per_call" in which:
        measure("process_per_call", process_per_call, 5)
    if "pool_map" in which:
        measure("pool_map", pool_map, 5)
    if "queue_events" in which:
        measure("queue_events", queue_events, 1)
