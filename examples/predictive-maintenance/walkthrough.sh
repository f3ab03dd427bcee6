#!/usr/bin/env bash
# The predictive-maintenance audit, end to end (README.md in this folder tells the story):
# capture the scikit-learn training run, check the data and the model, attach a drift baseline,
# register the version with the capture as its lineage, re-run the training with `warden check
# repro`, promote to production through the pre-production audit, then change one byte of the data
# and watch `check repro` name it.
#
#   examples/predictive-maintenance/walkthrough.sh [WORKDIR]
#
# WORKDIR (default: a new temporary directory) receives a git repository holding a copy of this
# example, the evidence files and a local Warden server's database. WARDEN is the command that runs
# warden (default: this checkout's bin/warden.js, built with npm run build); PYTHON the Python with
# scikit-learn (default: /usr/bin/python3, Debian's python3-sklearn).
set -euo pipefail

example=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$example/../.." && pwd)
read -r -a warden <<<"${WARDEN:-node $root/bin/warden.js}"
python=${PYTHON:-/usr/bin/python3}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
repo=$work/repo
evidence=$work/evidence
policies=$root/examples/policies
key=$work/maintenance-ci.key
model=predictive-maintenance

say() { printf '\n== %s\n' "$*"; }
# Prints a warden command as a user would type it, runs it and returns its exit code.
w() {
  printf '$ warden %s\n' "$*"
  "${warden[@]}" "$@"
}
# Runs a warden command that must exit with $1.
expect_exit() {
  local expected=$1 code=0
  shift
  w "$@" || code=$?
  if [ "$code" -ne "$expected" ]; then
    printf 'walkthrough: warden %s exited %s, expected %s\n' "$1" "$code" "$expected" >&2
    exit 1
  fi
}

"$python" -c 'import sklearn' 2>/dev/null || {
  echo "walkthrough: $python cannot import sklearn; install Debian's python3-sklearn or set PYTHON" >&2
  exit 2
}

say "A git repository with the example: the training is captured from a commit, so it can be re-run"
rm -rf "$repo" "$evidence" "$work/server"
mkdir -p "$repo" "$evidence"
cp "$example"/{ai4i2020.csv,DATA-LICENSE.md,contract.yaml,dvc.lock,requirements.txt,train.py,monitors.yaml} "$repo"/
printf 'model.pkl\npredictions.csv\n__pycache__/\n' >"$repo/.gitignore"
export GIT_AUTHOR_NAME=maintenance-ml GIT_AUTHOR_EMAIL=maintenance-ml@example.com
export GIT_COMMITTER_NAME=maintenance-ml GIT_COMMITTER_EMAIL=maintenance-ml@example.com
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "predictive-maintenance: data, contract and trainer"
echo "repository $repo at commit $(git -C "$repo" rev-parse --short HEAD)"
rm -f "$key" "$key.pub"
w key create --out "$key"
cd "$repo"

say "1. Capture the training run: commit, data (checked against dvc.lock), lockfiles, Python packages, seed, outputs"
expect_exit 0 capture --input ai4i2020.csv --output model.pkl --output predictions.csv --seed SEED=42 \
  --model "$model" --version 1 --json "$evidence/capture.json" --sign-key "$key" \
  -- "$python" train.py --data ai4i2020.csv --model model.pkl --predictions predictions.csv

say "2. The data gate: the contract's types, ranges and rules on exactly the bytes the run read"
expect_exit 0 check data ai4i2020.csv --contract contract.yaml --json "$evidence/data-check.json" --sign-key "$key"

say "3. The model gate: failure recall is the key metric (the central maintenance-failure-recall policy)"
expect_exit 0 check model predictions.csv --target actual --score score --prediction prediction \
  --model "$model" --version 1 --json "$evidence/model-evaluation.json" --sign-key "$key" \
  --policies "$policies" --labels domain=maintenance,audit=pre-production --decision "$evidence/decision-model.json"

say "4. A drift baseline of the training data's inputs, for the gateway and monitors to compare live traffic with (attached after the promotion)"
expect_exit 0 baseline create ai4i2020.csv \
  --columns "Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min]" \
  --window-rows 1000 --evidence "$evidence/drift-baseline.json" --sign-key "$key"

say "5. Re-run the training in a clean checkout of the recorded commit and compare the outputs"
expect_exit 0 check repro "$evidence/capture.json" --json "$evidence/repro.json" --sign-key "$key" \
  --trusted-key "maintenance-pipeline-ci=$key.pub"

say "6. Register the version with the capture as its lineage, attach the evidence, promote to production"
mkdir -p "$work/server"
"${warden[@]}" server --init --port 0 --db "sqlite:$work/server/warden.db" --log-level silent \
  >"$work/server/admin.token" 2>"$work/server/server.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  grep -q 'listening on' "$work/server/server.log" && [ -s "$work/server/admin.token" ] && break
  sleep 0.05
done
WARDEN_SERVER=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/server/server.log" | head -1)
WARDEN_TOKEN=$(head -1 "$work/server/admin.token")
export WARDEN_SERVER WARDEN_TOKEN
[ -n "$WARDEN_SERVER" ] || {
  cat "$work/server/server.log" >&2
  exit 1
}
echo "server $WARDEN_SERVER (admin token in $work/server/admin.token)"
expect_exit 0 policy apply "$policies" --revision walkthrough
expect_exit 0 key register maintenance-pipeline-ci --public-key "$key.pub" --teams maintenance \
  --kinds data-check,model-evaluation,drift-baseline,reproducibility
expect_exit 0 models create "$model" --team maintenance --owner maintenance-ml \
  --label domain=maintenance --label audit=pre-production \
  --description "Probability that the milling machine fails on the next product (random forest)"
expect_exit 0 monitors set "$model" monitors.yaml
expect_exit 0 versions create "$model" --artifact "file://$repo/model.pkl" \
  --artifact-digest "sha256:$(sha256sum model.pkl | cut -d' ' -f1)" --lineage "$evidence/capture.json"
for file in data-check model-evaluation capture repro; do
  expect_exit 0 evidence submit "$evidence/$file.json" --model "$model" --version 1
done
expect_exit 0 promote "$model" 1 --to production --verbose
expect_exit 0 evidence submit "$evidence/drift-baseline.json" --model "$model" --version 1
expect_exit 0 lineage "$model" 1

say "7. One byte of the data changes after the capture: check repro names it as the cause"
sed -i '2s/298\.1/298.2/' ai4i2020.csv
expect_exit 1 check repro "$evidence/capture.json" --runs 1 --json "$evidence/repro-changed.json"

say "Done: evidence in $evidence, the server's database in $work/server"
