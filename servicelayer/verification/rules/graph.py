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
    """Reject service inside a strongly connected group whose traffic with everyone else
    (served to outsiders plus received from them) is under CLOSED_CLUSTER_MAX_EXTERNAL_PPM
    of what its members claim to serve each other. Content has to enter a swarm from
    somewhere: a group that trades a stream only among itself never got it."""
    edges: dict[str, dict[str, int]] = {}
    for b in ix.bandwidth:
        if b.uploader != b.downloader:
            out = edges.setdefault(b.uploader, {})
            out[b.downloader] = out.get(b.downloader, 0) + b.delta_bytes
            edges.setdefault(b.downloader, {})
    graph = {node: sorted(out) for node, out in sorted(edges.items())}
    components = strongly_connected(graph)
    member_of = {node: number for number, comp in enumerate(components) for node in comp}
    internal = [0] * len(components)
    external = [0] * len(components)
    for node, out in sorted(edges.items()):
        for target, amount in sorted(out.items()):
            if member_of[node] == member_of[target]:
                internal[member_of[node]] += amount
            else:
                external[member_of[node]] += amount
                external[member_of[target]] += amount
    closed = [
        len(comp) > 1
        and internal[n] > 0
        and external[n] * PPM <= internal[n] * CLOSED_CLUSTER_MAX_EXTERNAL_PPM
        for n, comp in enumerate(components)
    ]
    found: list[Finding] = []
    for b in ix.bandwidth:
        group = member_of.get(b.uploader)
        if group is None or not closed[group] or member_of.get(b.downloader) != group:
            continue
        ref = (f"cluster:{components[group][0]}",)
        found.append(Finding(b.receipt_id, ReasonCode.CLOSED_CLUSTER, 0, ref))
    return found
