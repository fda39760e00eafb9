// Package keyring binds the platform's secret key to the database it keys, and
// rotates it.
//
// What the key protects (everything else is independent of it): the keyed hashes
// of owners' ID numbers and of their last six characters (owners.id_hash,
// owners.id_last6_hash, the register frozen in vote_voters.id_check_hashes, proxies'
// proxy_id_hash in ballots and proxy_slots), the AES-GCM ciphertexts of phone
// numbers (owners.phone_enc), of ballot tokens (vote_credentials.token_enc, so that
// staff can print a link again) and of encrypted documents (the ballot notices with
// every voter's QR, in document_chunks), the 30-minute ballot passes, and the
// receipt codes computed at casting. Sessions and ballot-token lookups use plain
// SHA-256 of random tokens and do not depend on the key.
//
// Load records the key's fingerprint on first start (after checking the key
// against a stored ciphertext, if any) and refuses a server started with another
// key (it would write data no one can read); Watch tells a running server that a
// rotation changed the key under it. Rotate re-keys all of the
// above in one transaction: ciphertexts are re-encrypted under the new key; hashes,
// whose clear values the platform never holds, are hashed once more under the new
// key and the earlier hashing keys are kept sealed under the new key (see
// pii.Protector). Ballot tokens are unchanged, so links already handed out keep
// working and a vote may be open; ballot passes issued before the rotation expire,
// and the owner repeats the identity check (a stale pass never counts as a failed
// attempt). Stored receipt codes stay as they were printed.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/models"
)

// ErrWrongKey reports a secret key other than the one the database is keyed with.
var ErrWrongKey = errors.New("the secret key is not the one this database is keyed with")

// Load returns the Protector of secret for db. On the first start it records the
// key's fingerprint; afterwards it refuses another key with ErrWrongKey and opens
// the earlier hashing keys a rotation left.
func Load(ctx context.Context, db *gorm.DB, secret string) (*pii.Protector, error) {
	p, err := pii.NewProtector([]byte(secret))
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	ring, found, err := read(ctx, db)
	if err != nil {
		return nil, err
	}
	if !found {
		// The first start of this version over data written under some key: check
		// the key against one stored ciphertext before recording it.
		if err := canary(ctx, db, p); err != nil {
			return nil, err
		}
		row := models.KeyRing{ID: 1, Fingerprint: p.Fingerprint(), UpdatedAt: db.NowFunc().UTC()}
		if err := db.WithContext(ctx).Create(&row).Error; err != nil && !database.IsDuplicate(err) {
			return nil, fmt.Errorf("keyring: recording the key's fingerprint: %w", err)
		}
		// Another instance starting at the same time may have recorded its key.
		if ring, _, err = read(ctx, db); err != nil {
			return nil, err
		}
	}
	if ring.Fingerprint != p.Fingerprint() {
		return nil, fmt.Errorf("keyring: %w (fingerprint %s, this key %s): start with the key of the last rotation",
			ErrWrongKey, ring.Fingerprint, p.Fingerprint())
	}
	inner, err := p.OpenHashKeys(ring.HashKeys)
	if err != nil {
		return nil, fmt.Errorf("keyring: opening the earlier hashing keys: %w", err)
	}
	if len(inner) == 0 {
		return p, nil
	}
	p, err = pii.NewProtector([]byte(secret), inner...)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return p, nil
}

// canary decrypts one stored ballot link or phone number, if there is any, and
// reports ErrWrongKey when p cannot open it.
func canary(ctx context.Context, db *gorm.DB, p *pii.Protector) error {
	for _, q := range []string{
		"SELECT token_enc FROM vote_credentials ORDER BY id LIMIT 1",
		"SELECT phone_enc FROM owners WHERE phone_enc <> '' ORDER BY id LIMIT 1",
	} {
		var enc []string
		if err := db.WithContext(ctx).Raw(q).Scan(&enc).Error; err != nil {
			return fmt.Errorf("keyring: reading a stored ciphertext: %w", err)
		}
		if len(enc) == 0 {
			continue
		}
		if _, err := p.Decrypt(enc[0]); err != nil {
			return fmt.Errorf("keyring: %w: it cannot decrypt the stored data", ErrWrongKey)
		}
		return nil
	}
	return nil
}

// Watch checks every interval that the database is still keyed with the key of
// fingerprint, and returns ErrWrongKey when a rotation has changed it (this
// instance must stop: with the old key it would fail every identity check and
// write data the new key cannot read), or nil when ctx ends. Read errors are
// passed over: the next tick tries again.
func Watch(ctx context.Context, db *gorm.DB, fingerprint string, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		ring, found, err := read(ctx, db)
		if err == nil && found && ring.Fingerprint != fingerprint {
			return fmt.Errorf("keyring: %w: the key was rotated while this instance ran; restart it with the new key", ErrWrongKey)
		}
	}
}

func read(ctx context.Context, db *gorm.DB) (models.KeyRing, bool, error) {
	var rows []models.KeyRing
	if err := db.WithContext(ctx).Where("id = 1").Find(&rows).Error; err != nil {
		return models.KeyRing{}, false, fmt.Errorf("keyring: reading: %w", err)
	}
	if len(rows) == 0 {
		return models.KeyRing{}, false, nil
	}
	return rows[0], true, nil
}

// Report counts what a rotation rewrote.
type Report struct {
	Owners        int // rows of owners (ID hashes, last-six hashes, phones)
	Voters        int // frozen voters' identity-check hashes
	Credentials   int // ballot tokens re-encrypted
	Ballots       int // proxies' ID hashes on ballots
	ProxySlots    int
	DocumentParts int // chunks of encrypted documents
	// Complainants' and negative-list reporters' identity hashes (issues 13 and 12):
	// re-keyed so a complainant who complains again after a rotation is still counted
	// once by the exit check, and project managers' phones re-encrypted.
	Complaints      int
	CaseReporters   int
	ProjectManagers int
	// LoginThrottles are the sign-in back-off's rows, keyed under the old key and
	// disposable: deleted, not re-keyed (counts start again; known addresses are
	// forgotten until each account signs in again).
	LoginThrottles int
	Rotations      int // rotations so far, this one included
}

// batch is how many rows one read of a table returns during a rotation.
const batch = 500

// Rotate re-keys everything oldSecret protects to newSecret, all or nothing, in
// one transaction (run it with every server stopped: a server still running with
// the old key would write data the new key cannot read, and is refused at its next
// start). It refuses when oldSecret is not the key the database is keyed with.
func Rotate(ctx context.Context, db *gorm.DB, oldSecret, newSecret string) (Report, error) {
	if len(newSecret) < 32 {
		return Report{}, errors.New("keyring: the new key is shorter than 32 characters")
	}
	if newSecret == oldSecret {
		return Report{}, errors.New("keyring: the new key is the current key")
	}
	oldP, err := Load(ctx, db, oldSecret)
	if err != nil {
		return Report{}, err
	}
	newP, err := oldP.Successor([]byte(newSecret))
	if err != nil {
		return Report{}, fmt.Errorf("keyring: %w", err)
	}
	sealed, err := newP.SealHashKeys()
	if err != nil {
		return Report{}, fmt.Errorf("keyring: %w", err)
	}
	var rep Report
	err = database.Tx(ctx, db, func(tx *gorm.DB) error {
		// The conditional update takes the row's lock (and SQLite's write lock) and
		// proves that no other rotation got here first.
		res := tx.Exec("UPDATE key_ring SET fingerprint = ?, hash_keys = ?, rotations = rotations + 1, updated_at = ? WHERE id = 1 AND fingerprint = ?",
			newP.Fingerprint(), sealed, tx.NowFunc().UTC(), oldP.Fingerprint())
		if res.Error != nil {
			return fmt.Errorf("keyring: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("keyring: %w (another rotation ran meanwhile)", ErrWrongKey)
		}
		steps := []struct {
			n  *int
			fn func(*gorm.DB, *pii.Protector, *pii.Protector) (int, error)
		}{
			{&rep.Owners, rekeyOwners}, {&rep.Voters, rekeyVoters}, {&rep.Credentials, rekeyCredentials},
			{&rep.Ballots, rehashColumn("ballots", "proxy_id_hash")}, {&rep.ProxySlots, rehashColumn("proxy_slots", "proxy_id_hash")},
			{&rep.DocumentParts, rekeyDocuments}, {&rep.LoginThrottles, dropLoginThrottles},
			{&rep.Complaints, rehashColumn("complaints", "complainant_hash")},
			{&rep.CaseReporters, rehashColumn("committee_cases", "reporter_hash")},
			{&rep.ProjectManagers, rekeyProjectManagers},
		}
		for _, s := range steps {
			n, err := s.fn(tx, oldP, newP)
			if err != nil {
				return err
			}
			*s.n = n
		}
		return tx.Raw("SELECT rotations FROM key_ring WHERE id = 1").Scan(&rep.Rotations).Error
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// dropLoginThrottles deletes the sign-in back-off's rows, whose keys are HMACs
// under a subkey of the old key (app/auth): they are disposable.
func dropLoginThrottles(tx *gorm.DB, _, _ *pii.Protector) (int, error) {
	res := tx.Exec("DELETE FROM login_throttles")
	if res.Error != nil {
		return 0, fmt.Errorf("keyring: deleting sign-in throttle rows: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// rows pages through a table by id inside the transaction, batch rows at a time.
func rows[T any](tx *gorm.DB, query string, id func(T) int64, each func(T) error) (int, error) {
	n := 0
	var last int64
	for {
		var page []T
		if err := tx.Raw(query+" AND id > ? ORDER BY id LIMIT ?", last, batch).Scan(&page).Error; err != nil {
			return n, fmt.Errorf("keyring: reading: %w", err)
		}
		for _, r := range page {
			if err := each(r); err != nil {
				return n, err
			}
			n++
		}
		if len(page) < batch {
			return n, nil
		}
		last = id(page[len(page)-1])
	}
}

func reencrypt(oldP, newP *pii.Protector, what string, id int64, token string) (string, error) {
	plain, err := oldP.Decrypt(token)
	if err != nil {
		return "", fmt.Errorf("keyring: %s %d: %w", what, id, err)
	}
	enc, err := newP.Encrypt(plain)
	if err != nil {
		return "", fmt.Errorf("keyring: %s %d: %w", what, id, err)
	}
	return enc, nil
}

func rekeyOwners(tx *gorm.DB, oldP, newP *pii.Protector) (int, error) {
	type owner struct {
		ID          int64
		IDHash      string `gorm:"column:id_hash"`
		IDLast6Hash string `gorm:"column:id_last6_hash"`
		PhoneEnc    string
	}
	return rows(tx, "SELECT id, id_hash, id_last6_hash, phone_enc FROM owners WHERE 1 = 1", func(o owner) int64 { return o.ID },
		func(o owner) error {
			phone, err := reencrypt(oldP, newP, "owner", o.ID, o.PhoneEnc)
			if err != nil {
				return err
			}
			if err := tx.Exec("UPDATE owners SET id_hash = ?, id_last6_hash = ?, phone_enc = ? WHERE id = ?",
				newP.Rehash(o.IDHash), newP.Rehash(o.IDLast6Hash), phone, o.ID).Error; err != nil {
				return fmt.Errorf("keyring: owner %d: %w", o.ID, err)
			}
			return nil
		})
}

func rekeyProjectManagers(tx *gorm.DB, oldP, newP *pii.Protector) (int, error) {
	type manager struct {
		ID       int64
		PhoneEnc string
	}
	return rows(tx, "SELECT id, phone_enc FROM project_managers WHERE phone_enc <> ''", func(m manager) int64 { return m.ID },
		func(m manager) error {
			phone, err := reencrypt(oldP, newP, "project manager", m.ID, m.PhoneEnc)
			if err != nil {
				return err
			}
			if err := tx.Exec("UPDATE project_managers SET phone_enc = ? WHERE id = ?", phone, m.ID).Error; err != nil {
				return fmt.Errorf("keyring: project manager %d: %w", m.ID, err)
			}
			return nil
		})
}

func rekeyVoters(tx *gorm.DB, _, newP *pii.Protector) (int, error) {
	type voter struct {
		ID            int64
		IDCheckHashes string
	}
	return rows(tx, "SELECT id, id_check_hashes FROM vote_voters WHERE id_check_hashes <> ''", func(v voter) int64 { return v.ID },
		func(v voter) error {
			hashes := strings.Fields(v.IDCheckHashes)
			for i, h := range hashes {
				hashes[i] = newP.Rehash(h)
			}
			if err := tx.Exec("UPDATE vote_voters SET id_check_hashes = ? WHERE id = ?", strings.Join(hashes, " "), v.ID).Error; err != nil {
				return fmt.Errorf("keyring: voter %d: %w", v.ID, err)
			}
			return nil
		})
}

func rekeyCredentials(tx *gorm.DB, oldP, newP *pii.Protector) (int, error) {
	type cred struct {
		ID       int64
		TokenEnc string
	}
	return rows(tx, "SELECT id, token_enc FROM vote_credentials WHERE 1 = 1", func(c cred) int64 { return c.ID },
		func(c cred) error {
			enc, err := reencrypt(oldP, newP, "credential", c.ID, c.TokenEnc)
			if err != nil {
				return err
			}
			if err := tx.Exec("UPDATE vote_credentials SET token_enc = ? WHERE id = ?", enc, c.ID).Error; err != nil {
				return fmt.Errorf("keyring: credential %d: %w", c.ID, err)
			}
			return nil
		})
}

// rehashColumn rehashes one hash column of a table, skipping empty values.
func rehashColumn(table, column string) func(*gorm.DB, *pii.Protector, *pii.Protector) (int, error) {
	return func(tx *gorm.DB, _, newP *pii.Protector) (int, error) {
		type row struct {
			ID   int64
			Hash string
		}
		return rows(tx, "SELECT id, "+column+" AS hash FROM "+table+" WHERE "+column+" <> ''", func(r row) int64 { return r.ID },
			func(r row) error {
				if err := tx.Exec("UPDATE "+table+" SET "+column+" = ? WHERE id = ?", newP.Rehash(r.Hash), r.ID).Error; err != nil {
					return fmt.Errorf("keyring: %s %d: %w", table, r.ID, err)
				}
				return nil
			})
	}
}

func rekeyDocuments(tx *gorm.DB, oldP, newP *pii.Protector) (int, error) {
	type doc struct{ ID int64 }
	n := 0
	_, err := rows(tx, "SELECT id FROM documents WHERE encrypted = TRUE", func(d doc) int64 { return d.ID },
		func(d doc) error {
			var chunks []models.DocumentChunk
			if err := tx.Where("document_id = ?", d.ID).Order("seq").Find(&chunks).Error; err != nil {
				return fmt.Errorf("keyring: document %d: %w", d.ID, err)
			}
			for _, c := range chunks {
				enc, err := reencrypt(oldP, newP, "document", d.ID, string(c.Data))
				if err != nil {
					return err
				}
				if err := tx.Exec("UPDATE document_chunks SET data = ? WHERE document_id = ? AND seq = ?", []byte(enc), d.ID, c.Seq).Error; err != nil {
					return fmt.Errorf("keyring: document %d: %w", d.ID, err)
				}
				n++
			}
			return nil
		})
	return n, err
}
