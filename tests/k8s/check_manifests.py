#!/usr/bin/python3
"""ctest: deploy/kubernetes renders (kubectl kustomize) and every object validates offline against
the Kubernetes API schema (the npm package kubernetes-models, installed once into BUILD/k8s-models).

Usage: check_manifests.py SOURCE_DIR BUILD_DIR. Exit 0 valid, 1 invalid, 77 skipped (no kubectl,
node or npm, or the package cannot be installed)."""

import json
import os
import shutil
import subprocess
import sys

import yaml

MODELS_VERSION = "5.1.0"


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def validate(validator, models, docs, path):
    with open(path, "w") as f:
        json.dump(docs, f)
    return subprocess.run(["node", validator, models, path], capture_output=True, text=True,
                          timeout=60)


def main():
    src, build = sys.argv[1], sys.argv[2]
    for tool in ("kubectl", "node", "npm"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed")
    prefix = os.path.join(build, "k8s-models")
    models = os.path.join(prefix, "node_modules", "kubernetes-models")
    if not os.path.isdir(models):
        r = subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
                            f"kubernetes-models@{MODELS_VERSION}"], capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            skip("npm install kubernetes-models failed: " + r.stderr[-500:])
    rendered = subprocess.run(["kubectl", "kustomize", os.path.join(src, "deploy/kubernetes")],
                              capture_output=True, text=True, timeout=60, check=True).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
    print("rendered:", ", ".join(kinds))
    problems = []
    if kinds != ["ConfigMap/pushbench-scenario", "Deployment/pushbench-server",
                 "Job/pushbench-loadgen", "Service/pushbench-server"]:
        problems.append(f"unexpected objects {kinds}")
    job = next(d for d in docs if d["kind"] == "Job")
    spec = job["spec"]
    pod = spec["template"]["spec"]
    args = " ".join(pod["containers"][0]["args"])
    scenario = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    if spec.get("completionMode") != "Indexed":
        problems.append("the load generator is not an Indexed Job")
    if not spec["completions"] == spec["parallelism"] == int(scenario["SHARDS"]):
        problems.append("completions, parallelism and SHARDS differ")
    if '--shard "$JOB_COMPLETION_INDEX/$SHARDS"' not in args or '--start-at "$START_AT"' not in args:
        problems.append("the pods do not take --shard from JOB_COMPLETION_INDEX and one --start-at")
    if not any(s["name"] == "net.ipv4.ip_local_port_range" for s in pod["securityContext"]["sysctls"]):
        problems.append("no ephemeral-port range per pod")
    for d in docs:
        if d["kind"] in ("Job", "Deployment"):
            for c in d["spec"]["template"]["spec"]["containers"]:
                if not c.get("resources", {}).get("requests") or not c["resources"].get("limits"):
                    problems.append(f"{d['kind']} container {c['name']} lacks requests/limits")
    validator = os.path.join(src, "tests/k8s/validate_manifests.mjs")
    r = validate(validator, models, docs, os.path.join(build, "k8s-rendered.json"))
    print(r.stdout, end="")
    if r.returncode != 0:
        problems.append("schema validation failed: " + r.stderr)
    # The validator itself rejects a broken object (so a pass above means something).
    bad = json.loads(json.dumps(docs))
    next(d for d in bad if d["kind"] == "Job")["spec"]["completionMode"] = "Sometimes"
    r = validate(validator, models, bad, os.path.join(build, "k8s-broken.json"))
    if r.returncode != 1 or "completionMode" not in r.stdout:
        problems.append("a Job with completionMode 'Sometimes' was not rejected: " + r.stdout)
    for p in problems:
        print("PROBLEM:", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
