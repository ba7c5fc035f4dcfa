"""GET /v1/federation on a node that settles alone: it is the whole validator set and
leads every epoch (docs/federation.md)."""

from __future__ import annotations

from tests.support import NodeProcess


def test_a_node_alone_is_its_own_validator_set_and_leads_every_epoch(node: NodeProcess) -> None:
    with node.client() as c:
        health = c.get("/v1/health").json()
        view = c.get("/v1/federation").json()
    me = health["node_account"]
    assert view["node_account"] == me and view["validators"] == [me]
    assert (view["threshold"], view["validating"], view["members"]) == (1, True, [])
    epochs = [row["epoch"] for row in view["leaders"]]
    assert epochs == list(range(epochs[0], epochs[0] + 5)) and health["epoch"] in epochs
    assert {row["leader"] for row in view["leaders"]} == {me}
