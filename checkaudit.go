package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"

	"gorm.io/gorm"

	"gongzhi/app/audit"
	"gongzhi/app/config"
	"gongzhi/app/database"
)

// errAuditBroken is returned (exit status 1) when the chain does not hold.
var errAuditBroken = errors.New("check-audit: the audit chain does not hold")

// checkAudit is `gongzhi check-audit [--public-key HEX]`: it walks the audit hash
// chain of the configured database, recomputing every hash, and verifies every
// signed head (docs/audit.md). All holds: a one-line summary and exit 0. Otherwise
// the first broken entry is named and the exit status is 1.
func checkAudit(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check-audit", flag.ContinueOnError)
	fs.SetOutput(out)
	pubHex := fs.String("public-key", "", "hex Ed25519 public key the heads must be signed with (default: the key each head names)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var trusted ed25519.PublicKey
	if *pubHex != "" {
		b, err := hex.DecodeString(*pubHex)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return errors.New("check-audit: --public-key must be 64 hex digits")
		}
		trusted = b
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
