//! RFC 6962 Merkle trees (spec v2 §5.3): the tree hash over a chain's event hashes,
//! inclusion proofs (audit paths) and their verification.
//!
//! The tree hash is built streaming with the stack of complete subtree roots (one per
//! set bit of the leaf count), so a root over 10,000,000 leaves holds at most 64
//! hashes. Proofs are made in one pass over the leaves too (`ProofBuilder`). This
//! module knows nothing of events or bundles: it hashes bytes, and it never trusts a
//! proof's length or shape (a proof that does not fit its tree size is refused).

use sha2::{Digest, Sha256};

use crate::canonical::Digest32;

/// The root of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1).
pub const EMPTY_ROOT: Digest32 = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Digest32 {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Digest32, right: &Digest32) -> Digest32 {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// A tree hash built one leaf at a time in O(log n) memory: the roots of the complete
/// subtrees the leaves so far make, largest first (their sizes are the set bits of
/// the leaf count).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeBuilder {
    /// (height, root): a subtree of 2^height leaves.
    stack: Vec<(u32, Digest32)>,
    size: u64,
}

impl TreeBuilder {
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// Leaves added so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds a leaf whose data is `data` (for a chain: an event's hash, 32 raw bytes).
    pub fn push(&mut self, data: &[u8]) {
        self.push_leaf_hash(leaf_hash(data));
    }

    /// Adds a leaf given by its leaf hash (`leaf_hash(data)`).
    pub fn push_leaf_hash(&mut self, leaf: Digest32) {
        self.push_observed(leaf, |_, _, _| {});
    }

    /// Adds a leaf, showing `seen` every complete subtree it completes: its first leaf,
    /// its height (2^height leaves) and its root — each subtree of the final tree that
    /// starts at a multiple of its size, exactly once.
    fn push_observed(&mut self, leaf: Digest32, mut seen: impl FnMut(u64, u32, &Digest32)) {
        let end = self.size + 1;
        let mut node = (0, leaf);
        seen(self.size, 0, &leaf);
        // Two subtrees of one height make one of the next: the binary carry.
        while let Some(&(height, left)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, node_hash(&left, &node.1));
            seen(end - (1 << node.0), node.0, &node.1);
        }
        self.stack.push(node);
        self.size = end;
    }

    /// The tree hash of the leaves so far (RFC 6962 MTH): the subtree roots folded from
    /// the right, which is exactly the split at the largest power of two below n.
    pub fn root(&self) -> Digest32 {
        let mut subtrees = self.stack.iter().rev();
        let Some(&(_, mut root)) = subtrees.next() else {
            return EMPTY_ROOT;
        };
        for (_, left) in subtrees {
            root = node_hash(left, &root);
        }
        root
    }
}

/// Inclusion proofs of chosen leaves of a tree of known size, made in one pass over
/// its leaves in O(chosen × log n) memory: how an excerpt proves a few events of a
/// chain of ten million without holding its hashes.
///
/// Every subtree an RFC 6962 path names starts at a multiple of the largest power of
/// two not above its size, so it is a run of complete subtrees ("blocks") the
/// streaming tree hash makes anyway, each exactly once: the builder keeps the blocks
/// the proofs need as they go by and folds each sibling from them at the end.
#[derive(Debug)]
pub struct ProofBuilder {
    size: u64,
    /// Per chosen leaf: its path's siblings, nearest the leaf first, each as the blocks
    /// (first leaf, height) it is made of, left to right.
    paths: Vec<Vec<Vec<(u64, u32)>>>,
    /// The blocks wanted, filled in as the leaves go by.
    blocks: std::collections::HashMap<(u64, u32), Option<Digest32>>,
    tree: TreeBuilder,
}

impl ProofBuilder {
    /// Proofs for the leaves at `indexes` of a tree of `size` leaves; `None` if one is
    /// not a leaf of it.
    pub fn new(size: u64, indexes: &[u64]) -> Option<ProofBuilder> {
        let mut blocks = std::collections::HashMap::new();
        let mut paths = Vec::with_capacity(indexes.len());
        for &index in indexes {
            if index >= size {
                return None;
            }
            let mut siblings = Vec::new();
            // The same descent as `inclusion_proof`, naming ranges instead of hashing.
            let (mut from, mut to, mut m) = (0u64, size, index);
            while to - from > 1 {
                let k = split(to - from);
                if m < k {
                    siblings.push(blocks_of(from + k, to));
                    to = from + k;
                } else {
                    siblings.push(blocks_of(from, from + k));
                    from += k;
                    m -= k;
                }
            }
            siblings.reverse();
            for block in siblings.iter().flatten() {
                blocks.insert(*block, None);
            }
            paths.push(siblings);
        }
        Some(ProofBuilder {
            size,
            paths,
            blocks,
            tree: TreeBuilder::new(),
        })
    }

    /// Adds the next leaf, given by its leaf hash.
    pub fn push_leaf_hash(&mut self, leaf: Digest32) {
        let blocks = &mut self.blocks;
        self.tree.push_observed(leaf, |first, height, root| {
            if let Some(slot) = blocks.get_mut(&(first, height)) {
                *slot = Some(*root);
            }
        });
    }

    /// Leaves added so far.
    pub fn pushed(&self) -> u64 {
        self.tree.size()
    }

    /// The tree's root and each chosen leaf's proof (in the order asked), or `None`
    /// if the leaves added were not exactly the tree's size.
    pub fn finish(self) -> Option<(Digest32, Vec<Vec<Digest32>>)> {
        if self.tree.size() != self.size {
            return None;
        }
        let proofs = self
            .paths
            .iter()
            .map(|siblings| {
                siblings
                    .iter()
                    .map(|run| {
                        // A run's tree hash: its blocks folded from the right (§5.3).
                        let mut roots = run.iter().rev().map(|b| self.blocks[b]);
                        let last = roots.next().flatten()?;
                        roots.try_fold(last, |right, left| Some(node_hash(&left?, &right)))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        Some((self.tree.root(), proofs))
    }
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// The leaves `from..to` as complete subtrees, largest first: (first leaf, height).
fn blocks_of(mut from: u64, to: u64) -> Vec<(u64, u32)> {
    let mut blocks = Vec::new();
    while from < to {
        let height = u64::BITS - 1 - (to - from).leading_zeros();
        blocks.push((from, height));
        from += 1 << height;
    }
    blocks
}

/// The tree hash over leaves given by their leaf hashes.
pub fn root_of_leaves(leaves: &[Digest32]) -> Digest32 {
    let mut tree = TreeBuilder::new();
    for leaf in leaves {
        tree.push_leaf_hash(*leaf);
    }
    tree.root()
}

/// The inclusion proof (audit path, RFC 6962 §2.1.1) of leaf `index` in the tree over
/// `leaves` (their leaf hashes), nearest the leaf first; `None` if `index` is not a
/// leaf of it. Costs O(n) hashing.
pub fn inclusion_proof(leaves: &[Digest32], index: u64) -> Option<Vec<Digest32>> {
    let mut builder = ProofBuilder::new(leaves.len() as u64, &[index])?;
    for leaf in leaves {
        builder.push_leaf_hash(*leaf);
    }
    builder.finish().map(|(_, mut proofs)| proofs.remove(0))
}

/// Whether `proof` shows the leaf with leaf hash `leaf` at `index` in the tree of `size`
/// leaves whose root is `root` (RFC 9162 §2.1.3.2, the algorithm for RFC 6962 paths).
pub fn verify_inclusion(
    leaf: &Digest32,
    index: u64,
    size: u64,
    proof: &[Digest32],
    root: &Digest32,
) -> bool {
    root_from_inclusion(leaf, index, size, proof).is_some_and(|computed| &computed == root)
}

/// The root that `proof` gives for the leaf `leaf` at `index` in a tree of `size`
/// leaves, or `None` when the proof cannot be one for that position (wrong length).
pub fn root_from_inclusion(
    leaf: &Digest32,
    index: u64,
    size: u64,
    proof: &[Digest32],
) -> Option<Digest32> {
    if index >= size {
        return None;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return None; // longer than the path to the root
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            // A right edge with no sibling at these levels: climb past them.
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    (s == 0).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{parse_hash_hex, to_hex};
    use proptest::prelude::*;

    fn h(hex: &str) -> Digest32 {
        parse_hash_hex(hex).expect("64 lowercase hex digits")
    }

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    // The published RFC 6962 test vectors of transparency-dev/merkle (Apache-2.0):
    // `testonly/constants.go` (LeafInputs, RootHashes, NodeHashes) and the
    // `inclusionProofs` of `proof/verify_test.go`, copied verbatim.

    /// LeafInputs(): the eight leaf inputs, hex.
    const LEAF_INPUTS: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// RootHashes()[1..=8]: the roots of the trees over the first 1, 2, …, 8 inputs.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// NodeHashes()[0]: the leaf hashes of the eight inputs.
    const LEAF_HASHES: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ];

    /// inclusionProofs: (leaf, numbered from 1 as the Go test numbers it; tree size; proof).
    const INCLUSION_PROOFS: [(u64, u64, &[&str]); 5] = [
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
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            3,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            2,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    fn vector_leaves() -> Vec<Digest32> {
        LEAF_INPUTS
            .iter()
            .map(|input| leaf_hash(&bytes(input)))
            .collect()
    }

    #[test]
    fn the_rfc_6962_leaf_hashes_and_roots_of_sizes_1_to_8_match_the_published_vectors() {
        let leaves = vector_leaves();
        for (leaf, want) in leaves.iter().zip(LEAF_HASHES) {
            assert_eq!(to_hex(leaf), want);
        }
        assert_eq!(to_hex(&TreeBuilder::new().root()), to_hex(&EMPTY_ROOT));
        assert_eq!(
            to_hex(&EMPTY_ROOT),
            to_hex(&crate::canonical::sha256(b"")),
            "the empty tree's root is SHA-256 of nothing"
        );
        let mut tree = TreeBuilder::new();
        for (n, input) in LEAF_INPUTS.iter().enumerate() {
            tree.push(&bytes(input));
            assert_eq!(tree.size(), n as u64 + 1);
            assert_eq!(to_hex(&tree.root()), ROOTS[n], "size {}", n + 1);
            assert_eq!(to_hex(&root_of_leaves(&leaves[..=n])), ROOTS[n]);
        }
    }

    #[test]
    fn the_published_inclusion_proofs_are_made_and_verified() {
        let leaves = vector_leaves();
        for (leaf, size, want) in INCLUSION_PROOFS {
            let (index, n) = (leaf - 1, size as usize);
            let proof = inclusion_proof(&leaves[..n], index).unwrap();
            let proof_hex: Vec<String> = proof.iter().map(|p| to_hex(p)).collect();
            assert_eq!(proof_hex, want, "leaf {leaf} of {size}");
            let root = h(ROOTS[n - 1]);
            let want: Vec<Digest32> = want.iter().map(|p| h(p)).collect();
            assert!(verify_inclusion(
                &leaves[index as usize],
                index,
                size,
                &want,
                &root
            ));
            // The corruptions the Go test tries must all fail.
            let leaf_hash = leaves[index as usize];
            let some_hash = h("abacaba000000000000000000000000000000000000000000060061e00123456");
            let mut wrong: Vec<(u64, u64, Digest32, Vec<Digest32>, Digest32)> = vec![
                (index.wrapping_sub(1), size, leaf_hash, want.clone(), root),
                (index + 1, size, leaf_hash, want.clone(), root),
                (index ^ 2, size, leaf_hash, want.clone(), root),
                (index, size * 2, leaf_hash, want.clone(), root),
                (index, size / 2, leaf_hash, want.clone(), root),
                (index, size, some_hash, want.clone(), root),
                (index, size, leaf_hash, want.clone(), EMPTY_ROOT),
                (index, size, leaf_hash, want.clone(), some_hash),
                (
                    index,
                    size,
                    leaf_hash,
                    [want.clone(), vec![root]].concat(),
                    root,
                ),
                (
                    index,
                    size,
                    leaf_hash,
                    [vec![root], want.clone()].concat(),
                    root,
                ),
            ];
            for i in 0..want.len() {
                let mut flipped = want.clone();
                flipped[i][0] ^= 8;
                wrong.push((index, size, leaf_hash, flipped, root));
            }
            if let Some((_, shorter)) = want.split_last() {
                wrong.push((index, size, leaf_hash, shorter.to_vec(), root));
            }
            for (i, s, l, p, r) in wrong {
                // Leaf 1 of 1 moved to index 1 of 2 with an empty proof is no proof either.
                assert!(
                    !verify_inclusion(&l, i, s, &p, &r),
                    "a corrupted proof verified: index {i}, size {s}"
                );
            }
        }
    }

    #[test]
    fn no_proof_exists_outside_the_tree() {
        let leaves = vector_leaves();
        assert_eq!(inclusion_proof(&leaves, 8), None);
        assert_eq!(inclusion_proof(&[], 0), None);
        assert!(!verify_inclusion(&leaves[0], 0, 0, &[], &EMPTY_ROOT));
        assert!(!verify_inclusion(&leaves[0], 1, 1, &[], &leaves[0]));
    }

    #[test]
    fn a_root_over_ten_million_leaves_holds_at_most_one_hash_per_bit_of_the_count() {
        let mut tree = TreeBuilder::new();
        let mut most = 0;
        for i in 0u64..10_000_000 {
            tree.push_leaf_hash(leaf_hash(&i.to_le_bytes()));
            most = most.max(tree.stack.len());
        }
        assert_eq!(tree.size(), 10_000_000);
        assert_eq!(tree.stack.len(), 10_000_000u64.count_ones() as usize);
        assert!(
            most <= 24,
            "at most log2(10,000,000) + 1 subtree roots, held {most}"
        );
    }

    /// The recursive definition of RFC 6962 §2.1, written out plainly: the truth the
    /// streaming builder is checked against.
    fn mth(leaves: &[Digest32]) -> Digest32 {
        match leaves.len() {
            0 => EMPTY_ROOT,
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_proof_of_every_leaf_verifies_and_one_changed_byte_fails_it(
            size in 1usize..300,
            seed in any::<u64>(),
            byte in any::<usize>(),
            flip in 1u8..=255,
        ) {
            let leaves: Vec<Digest32> = (0..size as u64)
                .map(|i| leaf_hash(&(seed ^ i).to_le_bytes()))
                .collect();
            let root = root_of_leaves(&leaves);
            prop_assert_eq!(root, mth(&leaves));
            for index in 0..size {
                let proof = inclusion_proof(&leaves, index as u64).unwrap();
                prop_assert!(verify_inclusion(&leaves[index], index as u64, size as u64, &proof, &root));
                // One byte changed in the proof, the leaf or the root: refused.
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    let at = byte % (bad.len() * 32);
                    bad[at / 32][at % 32] ^= flip;
                    prop_assert!(!verify_inclusion(&leaves[index], index as u64, size as u64, &bad, &root));
                }
                let mut bad_leaf = leaves[index];
                bad_leaf[byte % 32] ^= flip;
                prop_assert!(!verify_inclusion(&bad_leaf, index as u64, size as u64, &proof, &root));
                let mut bad_root = root;
                bad_root[byte % 32] ^= flip;
                prop_assert!(!verify_inclusion(&leaves[index], index as u64, size as u64, &proof, &bad_root));
            }
        }

        #[test]
        fn proofs_of_many_leaves_made_in_one_pass_are_the_proofs_of_each(
            size in 1u64..700,
            picks in proptest::collection::vec(any::<u64>(), 1..12),
        ) {
            let leaves: Vec<Digest32> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let indexes: Vec<u64> = picks.iter().map(|p| p % size).collect();
            let mut builder = ProofBuilder::new(size, &indexes).unwrap();
            for leaf in &leaves {
                builder.push_leaf_hash(*leaf);
            }
            let (root, proofs) = builder.finish().unwrap();
            prop_assert_eq!(root, mth(&leaves));
            for (index, proof) in indexes.iter().zip(&proofs) {
                prop_assert_eq!(proof.len(), mth_path(&leaves, *index as usize).len());
                prop_assert_eq!(proof, &mth_path(&leaves, *index as usize));
                prop_assert!(verify_inclusion(&leaves[*index as usize], *index, size, proof, &root));
            }
        }
    }

    /// RFC 6962 §2.1.1's PATH written out recursively over the leaves, as the spec
    /// says it: the reference the streaming builder is held to.
    fn mth_path(leaves: &[Digest32], m: usize) -> Vec<Digest32> {
        if leaves.len() <= 1 {
            return Vec::new();
        }
        let k = 1usize << (usize::BITS - 1 - (leaves.len() - 1).leading_zeros());
        if m < k {
            let mut path = mth_path(&leaves[..k], m);
            path.push(mth(&leaves[k..]));
            path
        } else {
            let mut path = mth_path(&leaves[k..], m - k);
            path.push(mth(&leaves[..k]));
            path
        }
    }

    #[test]
    fn a_builder_given_too_few_or_too_many_leaves_makes_no_proofs() {
        let leaf = leaf_hash(b"x");
        assert!(ProofBuilder::new(3, &[3]).is_none());
        let mut short = ProofBuilder::new(3, &[0]).unwrap();
        short.push_leaf_hash(leaf);
        short.push_leaf_hash(leaf);
        assert!(short.finish().is_none());
        let mut long = ProofBuilder::new(1, &[0]).unwrap();
        long.push_leaf_hash(leaf);
        long.push_leaf_hash(leaf);
        assert!(long.finish().is_none());
    }
}
