"""Every leaf of any tree proves against the root; nothing else does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servicelayer.merkle import EMPTY_ROOT, MerkleTree, Proof, leaf_hash, node_hash, verify

leaf_sets = st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=70, unique=True)


@given(leaf_sets)
def test_every_leaf_proves_against_the_root(leaves: list[bytes]) -> None:
    tree = MerkleTree(leaves)
    for leaf in leaves:
        proof = tree.prove(leaf)
        assert proof is not None and verify(proof, tree.root)


@given(leaf_sets, st.binary(min_size=1, max_size=40))
def test_a_leaf_outside_the_tree_has_no_proof_and_cannot_borrow_one(
    leaves: list[bytes], outsider: bytes
) -> None:
    tree = MerkleTree(leaves)
    if outsider in leaves:
        return
    assert tree.prove(outsider) is None
    borrowed = tree.prove(leaves[0])
    assert borrowed is not None
    forged = Proof(leaf_hash(outsider), borrowed.index, borrowed.size, borrowed.path)
    assert not verify(forged, tree.root)


@given(leaf_sets, st.data())
def test_any_changed_proof_field_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    proof = tree.prove(data.draw(st.sampled_from(leaves)))
    assert proof is not None
    if proof.path:
        i = data.draw(st.integers(0, len(proof.path) - 1))
        bad = bytes([proof.path[i][0] ^ 1]) + proof.path[i][1:]
        path = (*proof.path[:i], bad, *proof.path[i + 1 :])
        assert not verify(Proof(proof.leaf_hash, proof.index, proof.size, path), tree.root)
        assert not verify(
            Proof(proof.leaf_hash, proof.index, proof.size, proof.path[:-1]), tree.root
        )
    other = data.draw(st.integers(0, proof.size))
    if other != proof.index:
        assert not verify(Proof(proof.leaf_hash, other, proof.size, proof.path), tree.root)


@given(leaf_sets, st.randoms())
def test_root_depends_on_the_set_not_the_order(leaves: list[bytes], rnd: object) -> None:
    shuffled = list(leaves)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert MerkleTree(shuffled).root == MerkleTree(leaves).root


def test_known_shapes() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    x, y, z = sorted([a, b, c])
    assert MerkleTree([b"a"]).root == a
    assert MerkleTree([b"a", b"b", b"c"]).root == node_hash(node_hash(x, y), z)
    assert MerkleTree([]).root == EMPTY_ROOT
