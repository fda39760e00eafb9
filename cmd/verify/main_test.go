package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gongzhi/app/ballotlog"
)

// The exit codes: 2 for usage and file errors, 1 for a bundle that does not hold
// (the verifier itself is tested in app/ballotlog and, on real votes, in app/voting
// and handlers).
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	notABundle := filepath.Join(dir, "other.json")
	if err := os.WriteFile(notABundle, []byte(`{"format":"something-else"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"a", "b", "c"}, 2},
		{[]string{filepath.Join(dir, "missing.json")}, 2},
		{[]string{"-key", "not-base64", notABundle}, 2},
		{[]string{notABundle}, 2}, // no -key: refused (a forger's bundle carries the forger's key)
		{[]string{"-trust-bundle-key", notABundle}, 1},
	} {
		if got := run(c.args); got != c.want {
			t.Errorf("verify %v: exit %d, want %d", c.args, got, c.want)
		}
	}
}

// TestPublicBundle: a public bundle (leaf hashes only) whose closing head signs its
// spec and results is OK without a recount; with its results changed it is exit 1.
func TestPublicBundle(t *testing.T) {
	signer := ballotlog.SignerFromSeed(bytes.Repeat([]byte{3}, 32))
	t0 := time.Date(2026, 3, 17, 1, 0, 0, 0, time.UTC)
	spec := ballotlog.VoteSpec{VoteID: 9, LegalProfile: "civil-code-2021", TotalArea: 30000, TotalHeadcount: 3,
		Items: []ballotlog.ItemSpec{{Key: "dismiss", Matter: "hire_dismiss_manager"}}, Elections: []ballotlog.ElectionSpec{}}
	b := &ballotlog.Bundle{Format: ballotlog.BundleFormat, Kind: ballotlog.BundlePublic, GeneratedAt: t0, Vote: spec,
		PublicKey: signer.PublicBase64(), KeyID: signer.KeyID(), Results: []byte(`{"vote_id":9}`)}
	var hashes [][]byte
	for i := range 3 {
		l := ballotlog.Leaf{Seq: uint64(i), Kind: ballotlog.KindOnline, Receipt: fmt.Sprintf("R%d", i), Area: 10000, Headcount: 1,
			Choices: `{"dismiss":"agree"}`, Time: t0}
		hashes = append(hashes, l.Hash())
		b.Leaves = append(b.Leaves, ballotlog.BundleLeaf{Seq: l.Seq, LeafHash: hex.EncodeToString(l.Hash())})
	}
	root, err := ballotlog.RootOf(hashes)
	if err != nil {
		t.Fatal(err)
	}
	rs := sha256.Sum256(b.Results)
	b.ResultsSHA256 = hex.EncodeToString(rs[:])
	specSum, err := spec.SpecSHA256()
	if err != nil {
		t.Fatal(err)
	}
	b.Heads = []ballotlog.Head{signer.Sign(ballotlog.Head{VoteID: 9, Kind: ballotlog.HeadClose, Size: 3, RootHash: hex.EncodeToString(root),
		SignedAt: t0, SpecSHA256: specSum, ResultsSHA256: b.ResultsSHA256})}
	dir := t.TempDir()
	write := func(name string, b *ballotlog.Bundle) string {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := run([]string{"-key", signer.PublicBase64(), write("public.json", b)}); got != 0 {
		t.Fatalf("public bundle: exit %d", got)
	}
	b.Results = []byte(`{"vote_id":9,"quorum_met":true}`)
	rs = sha256.Sum256(b.Results)
	b.ResultsSHA256 = hex.EncodeToString(rs[:])
	if got := run([]string{"-key", signer.PublicBase64(), write("forged.json", b)}); got != 1 {
		t.Fatalf("public bundle with other results: exit %d", got)
	}
}
