package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gongzhi/app/config"
	"gongzhi/app/database"
	"gongzhi/app/keyring"
)

// rotateKey is `gongzhi rotate-key --new-key-file PATH`: it re-keys everything the
// current secret key (SECRET_KEY, SECRET_KEY_FILE or DATA_DIR/secret.key, read as
// the server reads it) protects to the key in PATH, generating one there when the
// file does not exist, in one transaction (docs/security.md). Run it with every
// server stopped, then start them with SECRET_KEY_FILE=PATH.
func rotateKey(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	fs.SetOutput(out)
	newKeyFile := fs.String("new-key-file", "", "file holding the new secret key (32+ characters); generated (mode 0600) when it does not exist")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if *newKeyFile == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("rotate-key: --new-key-file PATH is required")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.SecretKey == "" && cfg.SecretKeyFile == "" {
		// Never generate the "current" key here: there would be nothing to rotate.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "secret.key")); err != nil {
			return fmt.Errorf("rotate-key: no current key (SECRET_KEY, SECRET_KEY_FILE or %s): %w", filepath.Join(cfg.DataDir, "secret.key"), err)
		}
	}
	oldKey, err := cfg.EnsureSecretKey()
	if err != nil {
		return err
	}
	newKey, err := config.ReadKeyFile(*newKeyFile)
	generated := false
	if errors.Is(err, os.ErrNotExist) {
		newKey, err = config.GenerateKeyFile(*newKeyFile)
		generated = true
	}
	if err != nil {
		return fmt.Errorf("rotate-key: --new-key-file: %w", err)
	}

	db, err := database.Open(ctx, database.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN})
	if err != nil {
		return err
	}
	defer func() { _ = database.Close(db) }()
	if pending, err := database.Pending(ctx, db); err != nil {
		return err
	} else if pending {
		return errors.New("rotate-key: the database schema is out of date: start the new version of the server once (AUTO_MIGRATE=true), stop it, then rotate")
	}
	rep, err := keyring.Rotate(ctx, db, oldKey, newKey)
	if err != nil {
		return fmt.Errorf("rotate-key: nothing was changed: %w", err)
	}
	if generated {
		fmt.Fprintf(out, "generated a new key into %s\n", *newKeyFile)
	}
	fmt.Fprintf(out, "re-keyed (rotation %d): %d owners, %d frozen voters, %d ballot links, %d proxy ballots, %d proxy slots, %d encrypted document parts, %d complainants, %d case reporters, %d project managers; %d sign-in back-off rows deleted\n",
		rep.Rotations, rep.Owners, rep.Voters, rep.Credentials, rep.Ballots, rep.ProxySlots, rep.DocumentParts, rep.Complaints, rep.CaseReporters, rep.ProjectManagers, rep.LoginThrottles)
	fmt.Fprintf(out, "start every instance with SECRET_KEY_FILE=%s (and no SECRET_KEY); the old key is refused from now on: destroy every copy of it\n", *newKeyFile)
	return nil
}
