"""pyroute2 side of the nlkit benchmarks (run by bench/run.mjs with Debian's /usr/bin/python3).

    python3 pyroute2_bench.py '<json spec>'

The process is already in the namespace (nlkit-nsexec --netns). The spec says what to do:
{"kind": "dump"|"write", "object": "route"|"addr"|"link"|"veth", "count", "ifindex", "runs",
"warmup", "floor", "netns"}. Prints one JSON line like the other runners:
{"runs_ms": [...], "cpu_ms": [...], "messages": N, "maxrss_kb": K}.
Only the call is timed (the socket is opened once, before); writes are cleaned up after each
run by `floor clean`, untimed.
"""
import json
import resource
import socket
import subprocess
import sys
import time

from pyroute2 import IPRoute

spec = json.loads(sys.argv[1])


def route_addr(i):
    n = ((198 << 24) | (18 << 16)) + i if i < 131072 else (10 << 24) + (i - 131072)
    return socket.inet_ntoa(n.to_bytes(4, "big"))


def addr_addr(i):
    return socket.inet_ntoa((((10 << 24) | (124 << 16)) + i).to_bytes(4, "big"))


def cleanup():
    subprocess.run(
        [spec["floor"], "clean", "--netns", "/run/netns/" + spec["netns"], spec["object"],
         "--count", str(spec["count"]), "--ifindex", str(spec.get("ifindex") or 0)],
        check=True, stdout=subprocess.DEVNULL)


ipr = IPRoute()
times, cpu = [], []
messages = 0


def dump():
    o = spec["object"]
    if o == "route":
        return len(ipr.get_routes(family=socket.AF_INET, table=254))
    if o == "addr":
        return len(ipr.get_addr())
    if o == "link":
        return len(ipr.get_links())
    raise ValueError(o)


def write():
    o, n = spec["object"], spec["count"]
    if o == "route":
        for i in range(n):
            ipr.route("add", dst=route_addr(i) + "/32", gateway="10.123.0.2")
    elif o == "addr":
        for i in range(n):
            ipr.addr("add", index=spec["ifindex"], address=addr_addr(i), prefixlen=32)
    elif o == "veth":
        for i in range(n):
            ipr.link("add", ifname="fw%d" % i, kind="veth", peer="fwp%d" % i)
    else:
        raise ValueError(o)
    return n


fn = dump if spec["kind"] == "dump" else write
for r in range(-spec["warmup"], spec["runs"]):
    c0 = time.process_time()
    t0 = time.perf_counter()
    messages = fn()
    t1 = time.perf_counter()
    c1 = time.process_time()
    if r >= 0:
        times.append((t1 - t0) * 1e3)
        cpu.append((c1 - c0) * 1e3)
    if spec["kind"] == "write":
        cleanup()

ipr.close()


def peak_rss_kb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across execve (from node, our grandparent).
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


print(json.dumps({"runs_ms": times, "cpu_ms": cpu, "messages": messages, "maxrss_kb": peak_rss_kb()}))
