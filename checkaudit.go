package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"gorm.io/gorm"

	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/config"
	"gongzhi/app/database"
)

// errAuditBroken is returned (exit status 1) when the chain does not hold.
var errAuditBroken = errors.New("check-audit: the audit chain does not hold")

// checkAudit is `gongzhi check-audit --public-key KEY | --public-key-file PATH`:
// it walks the audit hash chain of the configured database in one consistent
// snapshot, recomputing every hash, and verifies every signed head under the
// expected key (docs/audit.md). The key is required: a head's own key proves
// nothing against whoever could rewrite the tables and re-sign. All holds: a
// one-line summary and exit 0. Otherwise the first broken entry is named and the
// exit status is 1.
func checkAudit(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check-audit", flag.ContinueOnError)
	fs.SetOutput(out)
	pubFlag := fs.String("public-key", "", "the platform's published Ed25519 public key (base64 as GET /api/v1/log-key gives it, or 64 hex digits)")
	pubFile := fs.String("public-key-file", "", "a file holding the published key: the JSON of GET /api/v1/log-key, or the key in base64 or hex")
	if err := fs.Parse(args); err != nil {
		return err
	}
	trusted, err := expectedKey(*pubFlag, *pubFile)
	if err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, database.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN})
	if err != nil {
		return err
	}
	defer func() { _ = database.Close(db) }()
	return runCheckAudit(ctx, db, trusted, out)
}

// errNoKey refuses a check without the expected key.
var errNoKey = errors.New("check-audit: the expected public key is required: --public-key KEY or --public-key-file PATH " +
	"(the key published at GET /api/v1/log-key and in the server's start-up log, docs/operations.md)")

// expectedKey reads the expected public key from the flag or the file (exactly one).
func expectedKey(flagValue, file string) (ed25519.PublicKey, error) {
	switch {
	case flagValue != "" && file != "":
		return nil, errors.New("check-audit: give --public-key or --public-key-file, not both")
	case flagValue == "" && file == "":
		return nil, errNoKey
	case file != "":
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("check-audit: --public-key-file: %w", err)
		}
		var published struct {
			PublicKey string `json:"public_key"`
		}
		if json.Unmarshal(raw, &published) == nil && published.PublicKey != "" {
			raw = []byte(published.PublicKey)
		}
		k, err := parseKey(string(raw))
		if err != nil {
			return nil, fmt.Errorf("check-audit: --public-key-file %s: %w", file, err)
		}
		return k, nil
	}
	k, err := parseKey(flagValue)
	if err != nil {
		return nil, fmt.Errorf("check-audit: --public-key: %w", err)
	}
	return k, nil
}

// parseKey reads an Ed25519 public key in base64 (as published) or hex.
func parseKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
		return b, nil
	}
	if k, err := ballotlog.ParsePublicKey(s); err == nil {
		return k, nil
	}
	return nil, errors.New("not an Ed25519 public key (base64 of 32 bytes, or 64 hex digits)")
}

// runCheckAudit checks the chain of db and prints the outcome.
func runCheckAudit(ctx context.Context, db *gorm.DB, trusted ed25519.PublicKey, out io.Writer) error {
	rep, err := audit.Check(ctx, db, trusted)
	if err != nil {
		return fmt.Errorf("check-audit: %w", err)
	}
	if rep.Broken != nil {
		fmt.Fprintf(out, "FAIL %s (%d entries before it hold)\n", rep.Broken.Error(), rep.Entries)
		return errAuditBroken
	}
	fmt.Fprintf(out, "OK audit chain: %d entries, head %s, %d signed heads verified\n", rep.Entries, short(rep.LastHash), rep.Heads)
	return nil
}

func short(h string) string {
	if h == "" {
		return "(empty)"
	}
	return h
}
