//! RFC 6962 (Certificate Transparency) Merkle trees over SHA-256.
//!
//! Pure. The same tree, proofs and verification algorithms as RFC 6962 §2.1
//! and RFC 9162 §2.1, so that a log's checkpoints and proofs can be checked
//! with any transparency-log tooling (for example transparency-dev/merkle)
//! rather than only with this program.
//!
//! Leaves are passed in already hashed (`leaf_hash`), so callers can keep the
//! hashes of a large log in memory without its entries. Proof hashes are
//! ordered from the leaf (or old tree) upwards, as RFC 9162 and
//! transparency-dev/merkle order them.

use sha2::{Digest, Sha256};

use crate::t;

pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// SHA-256(0x00 || data). The prefix keeps a leaf from ever hashing like an
/// interior node (second-preimage resistance, RFC 6962 §2.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (RFC 6962's split point k).
/// Only called with n >= 2.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[n]): the Merkle tree hash of the leaves (RFC 6962 §2.1).
///
/// Iterative, O(n) time and O(log n) space: a stack of the perfect subtrees
/// seen so far (sizes strictly decreasing powers of two), merged as each leaf
/// arrives; the final fold right-to-left is exactly RFC 6962's split at the
/// largest power of two, applied recursively to the right part.
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    let mut stack: Vec<Hash> = Vec::with_capacity(64);
    for (i, leaf) in leaf_hashes.iter().enumerate() {
        stack.push(*leaf);
        // After leaf i, (i + 1) has one trailing zero bit per merge to do.
        for _ in 0..(i + 1).trailing_zeros() {
            let r = stack.pop().expect("stack holds the right subtree");
            let l = stack.pop().expect("stack holds the left subtree");
            stack.push(node_hash(&l, &r));
        }
    }
    let Some(mut acc) = stack.pop() else {
        return EMPTY_ROOT;
    };
    while let Some(l) = stack.pop() {
        acc = node_hash(&l, &acc);
    }
    acc
}

/// MTH of leaves [lo, hi).
fn range_root(leaf_hashes: &[Hash], lo: u64, hi: u64) -> Hash {
    root(&leaf_hashes[lo as usize..hi as usize])
}

/// PATH(index, D[n]) of RFC 6962 §2.1.1: the audit path of leaf `index` in
/// the tree of all `leaf_hashes`, sibling nearest the leaf first.
///
/// O(n) time: the sibling subtrees hashed on the way down halve in size.
///
/// # Panics
/// If `index` is not below the number of leaves (there is no such path).
pub fn inclusion_proof(leaf_hashes: &[Hash], index: u64) -> Vec<Hash> {
    let n = leaf_hashes.len() as u64;
    assert!(
        index < n,
        "inclusion proof: index {index} not below size {n}"
    );
    // Walk down from the root; RFC 6962 appends each level's sibling after
    // the deeper part of the path, so reverse at the end.
    let mut path = Vec::new();
    let (mut lo, mut hi) = (0u64, n);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            path.push(range_root(leaf_hashes, lo + k, hi));
            hi = lo + k;
        } else {
            path.push(range_root(leaf_hashes, lo, lo + k));
            lo += k;
        }
    }
    path.reverse();
    path
}

/// PROOF(old_size, D[n]) of RFC 6962 §2.1.2: proves that the tree of the
/// first `old_size` leaves is a prefix of the tree of all `leaf_hashes`.
/// Empty when `old_size` is 0 or the whole tree (nothing to prove).
///
/// # Panics
/// If `old_size` is above the number of leaves.
pub fn consistency_proof(leaf_hashes: &[Hash], old_size: u64) -> Vec<Hash> {
    let n = leaf_hashes.len() as u64;
    assert!(
        old_size <= n,
        "consistency proof: old size {old_size} above size {n}"
    );
    if old_size == 0 || old_size == n {
        return Vec::new();
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled: each step either descends left
    // (appending MTH of the right part after the rest) or right (appending
    // MTH of the left part, and the old root is no longer a whole subtree).
    let mut tail = Vec::new();
    let (mut m, mut lo, mut hi, mut whole) = (old_size, 0u64, n, true);
    let mut head = None;
    loop {
        if m == hi - lo {
            if !whole {
                head = Some(range_root(leaf_hashes, lo, hi));
            }
            break;
        }
        let k = split(hi - lo);
        if m <= k {
            tail.push(range_root(leaf_hashes, lo + k, hi));
            hi = lo + k;
        } else {
            tail.push(range_root(leaf_hashes, lo, lo + k));
            lo += k;
            m -= k;
            whole = false;
        }
    }
    head.into_iter().chain(tail.into_iter().rev()).collect()
}

/// Checks an inclusion proof of leaf `index` in the tree of `size` leaves
/// with root `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), String> {
    if index >= size {
        return Err(t!("merkle.index-beyond", index, size));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(t!(
                "merkle.inclusion-too-many",
                count = proof.len(),
                index,
                size
            ));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(t!(
            "merkle.inclusion-too-few",
            count = proof.len(),
            index,
            size
        ));
    }
    if &r != root {
        return Err(t!("merkle.inclusion-wrong-root", index, size));
    }
    Ok(())
}

/// Checks that the tree of `old_size` leaves with root `old_root` is a
/// prefix of the tree of `new_size` leaves with root `new_root`
/// (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. Old size 0 needs an
/// empty proof and `old_root` equal to the empty tree's root: every tree
/// extends the empty one, but a checkpoint of size 0 claiming another root
/// is wrong and is reported.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), String> {
    if old_size > new_size {
        return Err(t!("merkle.old-above-new", old_size, new_size));
    }
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(t!(
                "merkle.consistency-not-empty",
                old_size,
                new_size,
                count = proof.len()
            ));
        }
        if old_size == 0 {
            if old_root != &EMPTY_ROOT {
                return Err(t!("merkle.empty-root"));
            }
        } else if old_root != new_root {
            return Err(t!("merkle.roots-differ", old_size));
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(t!("merkle.consistency-empty", old_size, new_size));
    }
    let too_short = || {
        t!(
            "merkle.consistency-too-few",
            old_size,
            new_size,
            count = proof.len()
        )
    };
    // When the old tree is a whole subtree of the new one, its root is the
    // proof's implicit first hash.
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (&proof[0], &proof[1..])
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(t!(
                "merkle.consistency-too-many",
                old_size,
                new_size,
                count = proof.len()
            ));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(too_short());
    }
    if &fr != old_root {
        return Err(t!("merkle.consistency-wrong-root", size = old_size));
    }
    if &sr != new_root {
        return Err(t!("merkle.consistency-wrong-root", size = new_size));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::digest::hex;
    use proptest::prelude::*;

    fn unhex(s: &str) -> Vec<u8> {
        assert!(s.len().is_multiple_of(2));
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn h(s: &str) -> Hash {
        unhex(s).try_into().unwrap()
    }

    // Leaf inputs, roots of every prefix and node hashes from
    // transparency-dev/merkle testonly/constants.go (LeafInputs, RootHashes,
    // NodeHashes); the same leaves and roots appear in proof/verify_test.go.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    /// NodeHashes()[level][index]: the perfect subtrees of the 8-leaf tree.
    const NODES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    fn leaves() -> Vec<Hash> {
        LEAVES.iter().map(|l| leaf_hash(&unhex(l))).collect()
    }

    fn node(level: usize, index: usize) -> Hash {
        h(NODES[level][index])
    }

    fn hs(list: &[&str]) -> Vec<Hash> {
        list.iter().map(|s| h(s)).collect()
    }

    #[test]
    fn empty_tree() {
        assert_eq!(
            hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(EMPTY_ROOT, h(ROOTS[0]));
    }

    #[test]
    fn known_roots_of_every_prefix() {
        let l = leaves();
        for (size, want) in ROOTS.iter().enumerate() {
            assert_eq!(hex(&root(&l[..size])), *want, "size {size}");
        }
        // The leaf level of NodeHashes is the leaf hashes themselves.
        for (i, leaf) in l.iter().enumerate() {
            assert_eq!(*leaf, node(0, i));
        }
    }

    /// transparency-dev/merkle proof/verify_test.go `inclusionProofs`; that
    /// table's leaf numbers are 1-based, here they are 0-based indices.
    #[test]
    fn published_inclusion_proofs() {
        let l = leaves();
        let cases: [(u64, u64, &[&str]); 5] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (0, 1, &[]),
        ];
        for (index, size, want) in cases {
            let want = hs(want);
            let tree = &l[..size as usize];
            assert_eq!(inclusion_proof(tree, index), want, "{index} in {size}");
            let r = h(ROOTS[size as usize]);
            let leaf = &l[index as usize];
            verify_inclusion(leaf, index, size, &want, &r).unwrap();
            // The corruptions of verify_test.go's corruptInclusionProof.
            let bad = |i: u64, s: u64, p: &[Hash], r: &Hash, leaf: &Hash| {
                verify_inclusion(leaf, i, s, p, r).is_err()
            };
            assert!(bad(index.wrapping_sub(1), size, &want, &r, leaf));
            assert!(bad(index + 1, size, &want, &r, leaf));
            assert!(bad(index ^ 2, size, &want, &r, leaf));
            assert!(bad(index, size * 2, &want, &r, leaf));
            assert!(bad(index, size / 2, &want, &r, leaf));
            assert!(bad(index, size, &want, &r, &leaf_hash(b"WrongLeaf")));
            assert!(bad(index, size, &want, &EMPTY_ROOT, leaf));
            let mut longer = want.clone();
            longer.push(r);
            assert!(bad(index, size, &longer, &r, leaf));
            let mut longer = vec![r];
            longer.extend_from_slice(&want);
            assert!(bad(index, size, &longer, &r, leaf));
            for i in 0..want.len() {
                let mut p = want.clone();
                p[i][0] ^= 8;
                assert!(bad(index, size, &p, &r, leaf));
            }
            if !want.is_empty() {
                assert!(bad(index, size, &want[..want.len() - 1], &r, leaf));
            }
        }
    }

    /// transparency-dev/merkle proof/proof_test.go `TestInclusion`, whose
    /// expected node IDs (level, index) are resolved through NodeHashes of
    /// testonly/constants.go. `rehash` pairs (j, i) there become the one
    /// hash node_hash(i, j): the right edge of a tree that is not perfect.
    #[test]
    fn published_inclusion_paths_by_node() {
        let l = leaves();
        let ij = node_hash(&node(1, 2), &node(0, 6)); // MTH(D[4:7])
        let cases: Vec<(u64, u64, Vec<Hash>)> = vec![
            (1, 0, vec![]),
            (2, 0, vec![node(0, 1)]),
            (2, 1, vec![node(0, 0)]),
            (3, 1, vec![node(0, 0), node(0, 2)]),
            (7, 0, vec![node(0, 1), node(1, 1), ij]),
            (7, 1, vec![node(0, 0), node(1, 1), ij]),
            (7, 2, vec![node(0, 3), node(1, 0), ij]),
            (7, 3, vec![node(0, 2), node(1, 0), ij]),
            (7, 4, vec![node(0, 5), node(0, 6), node(2, 0)]),
            (7, 5, vec![node(0, 4), node(0, 6), node(2, 0)]),
            (7, 6, vec![node(1, 2), node(2, 0)]),
            (4, 2, vec![node(0, 3), node(1, 0)]),
            (5, 3, vec![node(0, 2), node(1, 0), node(0, 4)]),
            (6, 3, vec![node(0, 2), node(1, 0), node(1, 2)]),
            (6, 4, vec![node(0, 5), node(2, 0)]),
        ];
        for (size, index, want) in cases {
            let tree = &l[..size as usize];
            assert_eq!(inclusion_proof(tree, index), want, "{index} in {size}");
            verify_inclusion(&l[index as usize], index, size, &want, &root(tree)).unwrap();
        }
    }

    /// transparency-dev/merkle proof/verify_test.go `consistencyProofs`.
    #[test]
    fn published_consistency_proofs() {
        let l = leaves();
        let cases: [(u64, u64, &[&str]); 5] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (
                6,
                7,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        for (old, new, want) in cases {
            let want = hs(want);
            let tree = &l[..new as usize];
            assert_eq!(consistency_proof(tree, old), want, "{old} -> {new}");
            let (r1, r2) = (h(ROOTS[old as usize]), h(ROOTS[new as usize]));
            verify_consistency(old, new, &r1, &r2, &want).unwrap();
            if want.is_empty() {
                continue;
            }
            // The corruptions of verify_test.go's corruptConsistencyProof.
            let bad = |o: u64, n: u64, r1: &Hash, r2: &Hash, p: &[Hash]| {
                verify_consistency(o, n, r1, r2, p).is_err()
            };
            let wrong = leaf_hash(b"WrongRoot");
            assert!(bad(old - 1, new, &r1, &r2, &want));
            assert!(bad(old + 1, new, &r1, &r2, &want));
            assert!(bad(old ^ 2, new, &r1, &r2, &want));
            assert!(bad(old, new * 2, &r1, &r2, &want));
            assert!(bad(old, new / 2, &r1, &r2, &want));
            assert!(bad(old, new, &wrong, &r2, &want));
            assert!(bad(old, new, &r1, &wrong, &want));
            assert!(bad(old, new, &r2, &r1, &want));
            assert!(bad(old, new, &r1, &r2, &[]));
            for extra in [r1, r2] {
                let mut p = want.clone();
                p.push(extra);
                assert!(bad(old, new, &r1, &r2, &p));
                let mut p = vec![extra];
                p.extend_from_slice(&want);
                assert!(bad(old, new, &r1, &r2, &p));
            }
            let mut p = vec![want[0]];
            p.extend_from_slice(&want);
            assert!(bad(old, new, &r1, &r2, &p));
            assert!(bad(old, new, &r1, &r2, &want[..want.len() - 1]));
            for i in 0..want.len() {
                let mut p = want.clone();
                p[i][0] ^= 16;
                assert!(bad(old, new, &r1, &r2, &p));
            }
        }
    }

    /// transparency-dev/merkle proof/proof_test.go `TestConsistency`, node
    /// IDs resolved as in `published_inclusion_paths_by_node`.
    #[test]
    fn published_consistency_paths_by_node() {
        let l = leaves();
        let ij = node_hash(&node(1, 2), &node(0, 6)); // MTH(D[4:7])
        let cases: Vec<(u64, u64, Vec<Hash>)> = vec![
            (1, 2, vec![node(0, 1)]),
            (1, 4, vec![node(0, 1), node(1, 1)]),
            (1, 6, vec![node(0, 1), node(1, 1), node(1, 2)]),
            (2, 3, vec![node(0, 2)]),
            (2, 8, vec![node(1, 1), node(2, 1)]),
            (3, 7, vec![node(0, 2), node(0, 3), node(1, 0), ij]),
            (4, 7, vec![ij]),
            (5, 7, vec![node(0, 4), node(0, 5), node(0, 6), node(2, 0)]),
            (6, 7, vec![node(1, 2), node(0, 6), node(2, 0)]),
            (7, 8, vec![node(0, 6), node(0, 7), node(1, 2), node(2, 0)]),
            (2, 4, vec![node(1, 1)]),
            (3, 5, vec![node(0, 2), node(0, 3), node(1, 0), node(0, 4)]),
            (3, 6, vec![node(0, 2), node(0, 3), node(1, 0), node(1, 2)]),
            (4, 6, vec![node(1, 2)]),
            (1, 7, vec![node(0, 1), node(1, 1), ij]),
        ];
        for (old, new, want) in cases {
            let tree = &l[..new as usize];
            assert_eq!(consistency_proof(tree, old), want, "{old} -> {new}");
            let r1 = root(&l[..old as usize]);
            verify_consistency(old, new, &r1, &root(tree), &want).unwrap();
        }
        for size in 1..=8u64 {
            assert!(consistency_proof(&l[..size as usize], size).is_empty());
        }
    }

    /// transparency-dev/merkle proof/verify_test.go `TestVerifyConsistency`
    /// edge cases, adapted: this verifier also requires the root of size 0
    /// to be the empty tree's.
    #[test]
    fn consistency_edge_cases() {
        let (r1, r2) = (leaf_hash(b"1"), leaf_hash(b"2"));
        let e = EMPTY_ROOT;
        assert!(verify_consistency(0, 0, &e, &e, &[]).is_ok());
        assert!(verify_consistency(0, 1, &e, &r2, &[]).is_ok());
        assert!(verify_consistency(1, 1, &r2, &r2, &[]).is_ok());
        assert!(verify_consistency(0, 1, &r1, &r2, &[]).is_err());
        assert!(verify_consistency(1, 1, &r1, &r2, &[]).is_err());
        assert!(verify_consistency(1, 0, &r1, &r2, &[]).is_err());
        assert!(verify_consistency(2, 1, &r1, &r2, &[]).is_err());
        assert!(verify_consistency(1, 2, &r1, &r2, &[]).is_err());
        assert!(verify_consistency(0, 0, &e, &e, &[e]).is_err());
        assert!(verify_consistency(0, 1, &e, &e, &[e]).is_err());
        assert!(verify_consistency(1, 1, &e, &e, &[e]).is_err());
    }

    #[test]
    fn inclusion_edge_cases() {
        let x = leaf_hash(b"data");
        verify_inclusion(&x, 0, 1, &[], &x).unwrap();
        assert!(verify_inclusion(&x, 0, 1, &[], &EMPTY_ROOT).is_err());
        for (i, s) in [(0, 0), (1, 0), (1, 1), (2, 1)] {
            assert!(verify_inclusion(&x, i, s, &[], &x).is_err());
        }
    }

    // RFC 6962 §2.1 transcribed literally (recursive), as a reference for
    // the iterative versions above.
    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => EMPTY_ROOT,
            1 => d[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n == 1 {
            return vec![];
        }
        let k = split(n as u64) as usize;
        if m < k {
            let mut p = path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = split(n as u64) as usize;
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn numbered(n: usize) -> Vec<Hash> {
        (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn agrees_with_rfc_6962_recursion() {
        for n in 0..=70usize {
            let d = numbered(n);
            assert_eq!(root(&d), mth(&d), "root of {n}");
            for m in 0..n {
                assert_eq!(inclusion_proof(&d, m as u64), path(m, &d), "{m} in {n}");
            }
            for m in 1..n {
                let want = subproof(m, &d, true);
                assert_eq!(consistency_proof(&d, m as u64), want, "{m} -> {n}");
            }
        }
    }

    #[test]
    fn million_leaves() {
        let d = numbered(1_000_000);
        // Level by level, carrying an odd node up unchanged: another known
        // construction of the same tree.
        let mut level = d.clone();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|c| {
                    if c.len() == 2 {
                        node_hash(&c[0], &c[1])
                    } else {
                        c[0]
                    }
                })
                .collect();
        }
        assert_eq!(root(&d), level[0]);
        let p = inclusion_proof(&d, 765_432);
        assert_eq!(p.len(), 20);
        verify_inclusion(&d[765_432], 765_432, 1_000_000, &p, &level[0]).unwrap();
        let c = consistency_proof(&d, 999_999);
        let old = root(&d[..999_999]);
        verify_consistency(999_999, 1_000_000, &old, &level[0], &c).unwrap();
    }

    fn tree_size() -> impl Strategy<Value = usize> {
        1usize..=300
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn inclusion_proofs_verify_and_bind(n in tree_size(), salt in any::<u64>()) {
            let d: Vec<Hash> = (0..n as u64)
                .map(|i| leaf_hash(&[salt.to_be_bytes(), i.to_be_bytes()].concat()))
                .collect();
            let r = root(&d);
            let size = n as u64;
            for i in 0..size {
                let p = inclusion_proof(&d, i);
                let leaf = &d[i as usize];
                prop_assert!(verify_inclusion(leaf, i, size, &p, &r).is_ok());
                for j in 0..p.len() {
                    let mut q = p.clone();
                    q[j][(salt as usize + j) % 32] ^= 1 << (salt % 8);
                    prop_assert!(verify_inclusion(leaf, i, size, &q, &r).is_err());
                }
                for wrong in [i ^ 1, i + 1, i.wrapping_sub(1), (i + size / 2) % size] {
                    if wrong != i {
                        prop_assert!(verify_inclusion(leaf, wrong, size, &p, &r).is_err());
                    }
                }
            }
        }

        #[test]
        fn consistency_proofs_verify_and_bind(n in 0usize..=300, salt in any::<u64>()) {
            let d: Vec<Hash> = (0..n as u64)
                .map(|i| leaf_hash(&[salt.to_be_bytes(), i.to_be_bytes()].concat()))
                .collect();
            let new_root = root(&d);
            let new = n as u64;
            // Roots of every prefix in one pass would need a compact range;
            // recomputing is O(n^2) hashes, fine at these sizes.
            for old in 0..=new {
                let old_root = root(&d[..old as usize]);
                let p = consistency_proof(&d, old);
                prop_assert!(verify_consistency(old, new, &old_root, &new_root, &p).is_ok());
                for j in 0..p.len() {
                    let mut q = p.clone();
                    q[j][(salt as usize + j) % 32] ^= 1 << (salt % 8);
                    prop_assert!(verify_consistency(old, new, &old_root, &new_root, &q).is_err());
                }
            }
        }
    }
}
