package main

import (
	"os"
	"path/filepath"
	"testing"
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
