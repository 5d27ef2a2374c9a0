"""Shared parts of the peer comparisons in bench/peers: start a server pinned to one CPU on an
ephemeral loopback port, run a client pinned to another and read its CPU time (wait4 rusage),
install a peer from Debian or the npm registry, and print the ratio of medians.

Every process started here is stopped (by process group) when the script exits; traffic goes to
127.0.0.1 only."""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PUSHBENCH_BIN", os.path.join(ROOT, "build", "bin"))
CACHE = os.environ.get("PUSHBENCH_PEERS_CACHE", os.path.join(ROOT, "build", "peers"))
_children = []


def cpus():
    """(server CPU, client CPU): 0 and 1 when the machine has two, else unpinned."""
    return ("0", "1") if (os.cpu_count() or 1) >= 2 else (None, None)


def pinned(cmd, cpu):
    return (["taskset", "-c", cpu] + cmd) if cpu is not None else cmd


def _cleanup(*_):
    for p in _children:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in _children:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def _on_signal(sig, _frame):
    _cleanup()
    sys.exit(128 + sig)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def start(cmd, cpu=None, env=None):
    """Starts a long-running process in its own process group; it is stopped at exit."""
    p = subprocess.Popen(pinned(cmd, cpu), start_new_session=True, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _children.append(p)
    return p


def stop_all():
    _cleanup()
    _children.clear()


def our_server(transport, cpu, extra=()):
    """pushbench-server on an ephemeral port; returns (process, port)."""
    d = tempfile.mkdtemp(prefix="pushbench-peer-")
    port_file = os.path.join(d, "port")
    p = start([os.path.join(BIN, "pushbench-server"), "--transport", transport, "--port-file", port_file,
               "--quiet", *extra], cpu)
    return p, int(wait_for_file(port_file, p))


def wait_for_file(path, proc, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path) as f:
                return f.read().strip()
        if proc.poll() is not None:
            raise SystemExit("server exited early: %s" % proc.stderr.read().decode(errors="replace"))
        time.sleep(0.05)
    raise SystemExit("server did not write %s within %d s" % (path, timeout))


def run_measured(cmd, cpu, timeout=300):
    """Runs cmd to completion pinned to cpu; returns (exit status, stdout, CPU seconds)."""
    p = subprocess.Popen(pinned(cmd, cpu), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    _children.append(p)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        raise SystemExit("%s did not finish within %d s" % (cmd[0], timeout))
    finally:
        _children.remove(p)
    # communicate() reaped the child; its CPU is in the children's rusage delta.
    return p.returncode, out.decode(errors="replace") + err.decode(errors="replace")


def child_cpu_s():
    r = os.times()
    return r.children_user + r.children_system


def measured(cmd, cpu, timeout=300):
    before = child_cpu_s()
    rc, out = run_measured(cmd, cpu, timeout)
    return rc, out, child_cpu_s() - before


def pushbench_load(args, cpu, timeout=300):
    """Runs `pushbench load ARGS --out F` pinned; returns (scenario, CPU seconds of the process)."""
    d = tempfile.mkdtemp(prefix="pushbench-peer-")
    out_path = os.path.join(d, "run.json")
    rc, out, cpu_s = measured([os.path.join(BIN, "pushbench"), "load", *args, "--progress", "never",
                               "--out", out_path], cpu, timeout)
    if rc != 0:
        raise SystemExit("pushbench load failed (%d): %s" % (rc, out[-2000:]))
    with open(out_path) as f:
        scenario = json.load(f)["scenarios"][0]
    shutil.rmtree(d, ignore_errors=True)
    return scenario, cpu_s


def ensure_apt(binary, package):
    if shutil.which(binary):
        return
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def ensure_npm(package, version):
    """Installs package@version under build/peers/<package> (once); returns its node_modules dir."""
    if not shutil.which("node") or not shutil.which("npm"):
        ensure_apt("node", "nodejs")
        ensure_apt("npm", "npm")
    prefix = os.path.join(CACHE, package.replace("/", "_"))
    mods = os.path.join(prefix, "node_modules")
    if not os.path.isdir(os.path.join(mods, package)):
        os.makedirs(prefix, exist_ok=True)
        # No install scripts: some (Artillery's Playwright engine) download browsers, which this
        # machine cannot reach and these comparisons do not use.
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", prefix,
                        "%s@%s" % (package, version)], check=True,
                       env=dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1"))
    return mods


def ratio_line(label, ours, theirs):
    mo, mt = statistics.median(ours), statistics.median(theirs)
    return "%s: pushbench %.2f us/event, peer %.2f us/event (medians of %d), pushbench/peer = %.2f" % (
        label, mo, mt, len(ours), mo / mt if mt else float("nan"))
