#!/usr/bin/env bash
# Runs a sharded pushbench load on the current kubectl context: sets one start time for every
# shard, applies deploy/kubernetes (or the kustomization DIR given), waits for the Indexed Job,
# collects each pod's report from its log (between the markers the pods print) and merges them.
#   scripts/k8s-run.sh [--base DIR] [--lead SECONDS] [--out merged.json]
# Needs kubectl with a cluster that can pull (or has) the `pushbench:local` image; the pushbench
# binary beside this script's build (build/bin/pushbench) does the merge.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$here/deploy/kubernetes
lead=60
out=results/k8s-merged.json
pushbench=${PUSHBENCH:-$here/build/bin/pushbench}
while (($#)); do
  case $1 in
    --base) base=$(cd "$2" && pwd); shift 2 ;;
    --lead) lead=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--base DIR] [--lead SECONDS] [--out FILE]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The start time: LEAD seconds from now, the same for every pod (the pods must be scheduled and
# pulled by then; a pod that starts later than 1 s after it fails rather than skew the run).
start_at=$(( $(date +%s) + lead ))000000000
cat > "$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$work" "$base")
configMapGenerator:
  - name: pushbench-scenario
    behavior: merge
    options:
      disableNameSuffixHash: true
    literals:
      - START_AT=$start_at
YAML
shards=$(kubectl kustomize "$work" | sed -n 's/^  SHARDS: "\([0-9]*\)"$/\1/p')
kubectl delete job pushbench-loadgen --ignore-not-found --wait=true
kubectl apply -k "$work"
kubectl rollout status deployment/pushbench-server --timeout=120s
echo "k8s-run: $shards shards start at $start_at (epoch ns)" >&2
kubectl wait --for=condition=complete job/pushbench-loadgen --timeout=$((lead + 600))s
mkdir -p "$work/reports"
files=()
for ((k = 0; k < shards; k++)); do
  pod=$(kubectl get pods -l job-name=pushbench-loadgen,batch.kubernetes.io/job-completion-index=$k \
        -o jsonpath='{.items[0].metadata.name}')
  f=$work/reports/shard$k.json
  kubectl logs "$pod" | sed -n "/^--- pushbench report $k begin ---\$/,/^--- pushbench report $k end ---\$/p" \
    | sed '1d;$d' > "$f"
  [[ -s $f ]] || { echo "k8s-run: no report in the log of $pod (shard $k)" >&2; exit 1; }
  files+=("$f")
done
"$pushbench" merge --shards "${files[@]}" --out "$out"
"$pushbench" report "$out"
