"""Property-based fuzzing of a real node from its live ``/openapi.json`` (schemathesis).

Every phase (examples, coverage, fuzzing, stateful) and every check schemathesis has
(server errors, undocumented statuses, content types, response schemas and headers,
schema-valid requests refused, schema-invalid requests accepted, missing required
headers, undeclared methods and ``Allow``, auth that is ignored, ...) runs against every
operation; tests/api/schemathesis.toml lists the few narrow exceptions and why. Once
signed in with SEP-10, and once anonymous (every write must answer 401).

``ACENODE_FUZZ_EXAMPLES`` and ``ACENODE_FUZZ_SEED`` change the budget and reproduce a run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Keypair

from tests.api.helpers import sign_in
from tests.support import NodeProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("ACENODE_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    """A node of its own: the fuzzer fills its database with junk that must not reach
    the other API tests."""
    root = tmp_path_factory.mktemp("fuzz")
    node = NodeProcess(root / "node", f"sqlite:///{root / 'node.sqlite3'}")
    node.start()
    yield node
    if node.running:
        assert node.stop() == 0, node.output()


def fuzz(node: NodeProcess, workdir: Path, examples: int, token: str | None) -> dict[str, Any]:
    """Run schemathesis against the node; its JSON report, or a failure with its output."""
    seed = os.environ.get("ACENODE_FUZZ_SEED") or str(random.randrange(2**32))
    report = workdir / "report.json"
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{node.url}/openapi.json",
        f"--max-examples={examples}",
        f"--seed={seed}",
        "--no-shrink",
        "--report=json",
        f"--report-json-path={report}",
    ]
    if token is not None:
        cmd.append(f"--header=Authorization: Bearer {token}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    done = subprocess.run(
        cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=540, check=False
    )
    output = done.stdout[-20000:] + done.stderr[-5000:]
    assert report.exists(), output
    result: dict[str, Any] = json.loads(report.read_text())
    assert (done.returncode, result["failures"], result["errors"]) == (0, [], []), (
        f"ACENODE_FUZZ_SEED={seed}\n{output}"
    )
    print(  # the figures, shown by pytest -rP
        f"schemathesis seed {seed}: {result['operations']['tested']} operations, "
        f"{result['test_cases']['generated']} test cases, {result['running_time']:.0f} s"
    )
    return result


def operations_in(node: NodeProcess) -> int:
    with node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    return sum(len(operations) for operations in paths.values())


def test_signed_in_fuzzing_finds_no_failure(fuzzed: NodeProcess, tmp_path: Path) -> None:
    member = Keypair.random()
    with fuzzed.client() as c:
        token = sign_in(c, member)

    report = fuzz(fuzzed, tmp_path, EXAMPLES, token)

    total = operations_in(fuzzed)
    assert report["operations"] == {
        "total": total,
        "selected": total,
        "tested": total,
        "errored": 0,
        "skipped": 0,
        "skip_reasons": [],
    }
    assert all(p["status"] == "success" for p in report["phases"].values()), report["phases"]
    assert report["test_cases"]["generated"] >= total * EXAMPLES // 2
    # the token was used: writes the fuzzer made were applied as the signed-in account
    with fuzzed.client() as c:
        published = c.get("/v1/catalog", params={"provider": member.public_key}).json()
        plans = c.get("/v1/plans", params={"provider": member.public_key}).json()
    assert published["total"] + len(plans) > 0


def test_anonymous_fuzzing_finds_no_failure(fuzzed: NodeProcess, tmp_path: Path) -> None:
    report = fuzz(fuzzed, tmp_path, max(EXAMPLES // 3, 5), token=None)

    total = operations_in(fuzzed)
    assert report["operations"]["tested"] == total
    assert all(p["status"] == "success" for p in report["phases"].values()), report["phases"]
