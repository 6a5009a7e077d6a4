#!/bin/bash
# Instructions per hello request, counted by valgrind's callgrind: unlike a
# timing, the same on a busy machine. Compare two checkouts in one go:
#
#   bash benchmarks/instructions.sh CODE_ROOT [PATH]     # PATH: / or /hello/world
#
# e.g. `git worktree add /tmp/base <rev>`, then run it for /tmp/base and for
# this checkout. Needs valgrind (apt-get install valgrind).
set -euo pipefail
root=$1
path=${2:-/}
here=$(cd "$(dirname "$0")" && pwd)
python=$(python3 -c 'import sys; print(sys.executable)')
count() {
  PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$python" "$here/instructions_app.py" "$root" "$1" "$path" 2>&1 |
    grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'
}
a=$(count 1000)
b=$(count 3000)
echo "$root $path $(( (b - a) / 2000 )) instructions per request"
