"""Graph rules over the epoch's serve graph: shared endpoints and closed clusters."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.tolerances import CLOSED_CLUSTER_MAX_EXTERNAL_PPM, PPM
from servicelayer.verification.verdicts import Finding


def check_shared_endpoints(ix: EpochIndex) -> list[Finding]:
    """Reject service between two accounts registered on the same endpoint: one machine
    cannot earn by serving itself under two names."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        mine = ix.endpoints.get(claim.uploader, ())
        theirs = set(ix.endpoints.get(claim.downloader, ()))
        shared = [e for e in mine if e in theirs]
        if shared and claim.uploader != claim.downloader:
            names = [f"registration:{a}" for a in (claim.uploader, claim.downloader)]
            refs = tuple(names + [f"endpoint:{e}" for e in shared])
            found.append(Finding(claim.receipt_id, ReasonCode.SHARED_ENDPOINT, 0, refs))
    return found


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; nodes and edges visited in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, [])
            if edge < len(successors):
                work.append((node, edge + 1))
                nxt = successors[edge]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted(components)


def check_closed_clusters(ix: EpochIndex) -> list[Finding]:
    """Reject service inside a strongly connected group that serves outsiders less than
    CLOSED_CLUSTER_MAX_EXTERNAL_PPM of what it serves itself, unless the receiving member
    paid for that swarm (then the payment cap bounds what it can earn back)."""
    edges: dict[str, dict[str, int]] = {}
    for b in ix.bandwidth:
        if b.uploader != b.downloader:
            out = edges.setdefault(b.uploader, {})
            out[b.downloader] = out.get(b.downloader, 0) + b.delta_bytes
            edges.setdefault(b.downloader, {})
    graph = {node: sorted(out) for node, out in sorted(edges.items())}
    member_of: dict[str, int] = {}
    closed: list[bool] = []
    components = strongly_connected(graph)
    for number, component in enumerate(components):
        members = set(component)
        internal = external = 0
        for node in component:
            for target, amount in sorted(edges[node].items()):
                if target in members:
                    internal += amount
                else:
                    external += amount
            member_of[node] = number
        ratio_ok = external * PPM <= internal * CLOSED_CLUSTER_MAX_EXTERNAL_PPM
        closed.append(len(component) > 1 and internal > 0 and ratio_ok)
    found: list[Finding] = []
    for b in ix.bandwidth:
        group = member_of.get(b.uploader)
        if group is None or not closed[group] or member_of.get(b.downloader) != group:
            continue
        if ix.is_payer(b.downloader, b.infohash):
            continue
        ref = (f"cluster:{components[group][0]}",)
        found.append(Finding(b.receipt_id, ReasonCode.CLOSED_CLUSTER, 0, ref))
    return found
