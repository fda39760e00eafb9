package ballotlog

import (
	"encoding/hex"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// RootOf is the RFC 6962 root of the given leaf hashes, computed with a compact
// range.
func RootOf(hashes [][]byte) ([]byte, error) {
	if len(hashes) == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	r := factory.NewEmptyRange(0)
	for _, h := range hashes {
		if err := r.Append(h, nil); err != nil {
			return nil, err
		}
	}
	return r.GetRootHash(nil)
}

// nodeHash is the hash of a perfect subtree of the log: the root of its leaves.
func nodeHash(hashes [][]byte, id compact.NodeID) ([]byte, error) {
	begin, end := id.Coverage()
	if end > uint64(len(hashes)) {
		return nil, fmt.Errorf("node %d/%d beyond the tree", id.Level, id.Index)
	}
	return RootOf(hashes[begin:end])
}

// fill computes the hashes of a proof's nodes from the leaf hashes.
func fill(hashes [][]byte, nodes proof.Nodes) ([][]byte, error) {
	hs := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		h, err := nodeHash(hashes, id)
		if err != nil {
			return nil, err
		}
		hs[i] = h
	}
	return nodes.Rehash(hs, rfc6962.DefaultHasher.HashChildren)
}

// InclusionProof proves leaf index in the tree of the first size leaf hashes.
func InclusionProof(hashes [][]byte, index, size uint64) ([][]byte, error) {
	if size > uint64(len(hashes)) || index >= size {
		return nil, fmt.Errorf("leaf %d is not in a tree of %d", index, size)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return fill(hashes[:size], nodes)
}

// ConsistencyProof proves that the tree of size1 leaves is a prefix of the tree of
// size2 leaves.
func ConsistencyProof(hashes [][]byte, size1, size2 uint64) ([][]byte, error) {
	if size1 > size2 || size2 > uint64(len(hashes)) {
		return nil, fmt.Errorf("no consistency proof from %d to %d leaves", size1, size2)
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return fill(hashes[:size2], nodes)
}

// VerifyInclusion checks an inclusion proof of leaf bytes against a head.
func VerifyInclusion(leaf []byte, index uint64, proofHashes [][]byte, h Head) error {
	root, err := hex.DecodeString(h.RootHash)
	if err != nil {
		return fmt.Errorf("head root: %w", err)
	}
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, h.Size, rfc6962.DefaultHasher.HashLeaf(leaf), proofHashes, root)
}

// VerifyConsistency checks a consistency proof between two heads of one vote.
func VerifyConsistency(h1, h2 Head, proofHashes [][]byte) error {
	r1, err := hex.DecodeString(h1.RootHash)
	if err != nil {
		return fmt.Errorf("first head root: %w", err)
	}
	r2, err := hex.DecodeString(h2.RootHash)
	if err != nil {
		return fmt.Errorf("second head root: %w", err)
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, h1.Size, h2.Size, proofHashes, r1, r2)
}

// HexHashes writes hashes as hex strings.
func HexHashes(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h)
	}
	return out
}

// ParseHexHashes reads hex hashes.
func ParseHexHashes(ss []string) ([][]byte, error) {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("hash %d is not 32 bytes of hex", i)
		}
		out[i] = b
	}
	return out, nil
}
