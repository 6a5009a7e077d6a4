#!/bin/bash
# Instructions per request of one benchmark workload, counted by valgrind's
# callgrind: unlike a timing, the same on a busy machine. The count of
# 1,000 requests is taken from that of 3,000, so start-up is left out.
#
#   bash benchmarks/instructions.sh FRAMEWORK WORKLOAD [CODE_ROOT]
#
# FRAMEWORK and WORKLOAD are those of `python -m benchmarks --list`, e.g.
# `microweb json`, `falcon form`, `microweb-proxy hooks`. To compare two
# checkouts, `git worktree add /tmp/base <rev>` and pass /tmp/base as
# CODE_ROOT. Needs valgrind (apt-get install valgrind).
set -euo pipefail
framework=$1
workload=$2
here=$(cd "$(dirname "$0")" && pwd)
root=${3:-$(dirname "$here")}
python=$(python3 -c 'import sys; print(sys.executable)')
count() {
  PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$python" "$here/instructions_app.py" "$root" "$framework" "$workload" "$1" 2>&1 |
    grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'
}
a=$(count 1000)
b=$(count 3000)
echo "$framework $workload $(( (b - a) / 2000 )) instructions per request"
