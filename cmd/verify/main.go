// Command verify checks a vote's ballot bundle offline (app/ballotlog.Verify):
//
//	go run ./cmd/verify -key BASE64 bundle.json [resolution.pdf]
//
// The key is the platform's published log key (GET /api/v1/log-key, docs/operations.md):
// a bundle carries its own key too, but a forger re-signing a changed bundle would put
// theirs there, so the verifier refuses to run without -key unless told explicitly
// (-trust-bundle-key) to take the bundle's word for it.
//
// It checks every signed head, recomputes the roots, checks that the closing head
// signs the bundle's vote spec and published results (format gongzhi-ballot-log/2;
// older closing heads are reported with a warning), recounts with app/rules and
// compares with the published results when the bundle carries the leaves' bytes
// (the auditors' bundle; the public bundle carries leaf hashes only, for ballot
// secrecy, and is checked without a recount), and checks the PDF's SHA-256. It prints one
// line and exits 0 when all holds; otherwise it names the first mismatch and exits 1
// (2 for a usage or file error). The format is in docs/bundle.md.
package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"

	"gongzhi/app/ballotlog"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	key := fs.String("key", "", "the platform's published log key (base64 Ed25519, GET /api/v1/log-key); required")
	trust := fs.Bool("trust-bundle-key", false, "check the signatures against the key the bundle names (proves nothing against a forger)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 || (*key == "" && !*trust) {
		fmt.Fprintln(os.Stderr, "usage: verify -key BASE64 bundle.json [resolution.pdf]   (the platform's key from GET /api/v1/log-key; -trust-bundle-key to use the bundle's own)")
		return 2
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		return 2
	}
	b, err := ballotlog.DecodeBundle(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		return 2
	}
	var pdf []byte
	if fs.NArg() == 2 {
		if pdf, err = os.ReadFile(fs.Arg(1)); err != nil {
			fmt.Fprintln(os.Stderr, "verify:", err)
			return 2
		}
	}
	var pinned ed25519.PublicKey
	if *key != "" {
		if pinned, err = ballotlog.ParsePublicKey(*key); err != nil {
			fmt.Fprintln(os.Stderr, "verify: -key:", err)
			return 2
		}
	}
	sum, err := ballotlog.Verify(b, pdf, pinned)
	if err != nil {
		var m *ballotlog.Mismatch
		if errors.As(err, &m) {
			fmt.Println("MISMATCH " + m.Error())
			return 1
		}
		fmt.Println("MISMATCH", err)
		return 1
	}
	fmt.Println(sum.String())
	return 0
}
