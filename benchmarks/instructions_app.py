"""Serve one workload N times in-process, for instruction counting (see instructions.sh).

    python benchmarks/instructions_app.py CODE_ROOT FRAMEWORK WORKLOAD N

The app, the request and the check are the benchmark's own; CODE_ROOT is
the checkout whose ``microweb`` and ``benchmarks`` are imported.
"""

from __future__ import annotations

import sys

root, framework, name, count = sys.argv[1:5]
sys.path.insert(0, root)

from benchmarks import frameworks, harness  # noqa: E402  # imported from CODE_ROOT
from benchmarks.workloads import WORKLOADS  # noqa: E402

app = frameworks.load(framework).APPS[name]()
workload = WORKLOADS[name]
spec = workload.prepared(app)
workload.check(app, spec, harness.call_once(app, spec))  # also freezes a microweb app
call = harness.make_call(app, spec)
for _ in range(int(count)):
    call()
