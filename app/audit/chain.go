package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"gongzhi/app/database"
	"gongzhi/models"
)

// The audit log is a hash chain (docs/audit.md). Entry n (seq n, counting from 1
// without gaps) carries prev_hash, the hash of entry n-1 ("" for entry 1), and
// hash = hex(SHA-256(Canonical(entry))). The canonical encoding is the domain
// string "gongzhi-audit-v1" followed by these fields, each written as a 4-byte
// big-endian length and its UTF-8 bytes:
//
//	seq, at, user_id, username, role, action, target_type, target_id, org_id,
//	estate_id, detail, request_id, prev_hash
//
// Integers are decimal ("" when NULL), at is UTC as "2006-01-02T15:04:05.000000Z"
// (microseconds: both databases keep them exactly).

// Domain is the first field of every canonical entry and the prefix of signed heads.
const Domain = "gongzhi-audit-v1"

// TimeLayout is how an entry's time is written in its canonical encoding.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Canonical is the byte string an audit row's hash is taken over.
func Canonical(r models.AuditLog) []byte {
	optional := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	fields := []string{
		Domain,
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format(TimeLayout),
		optional(r.UserID),
		r.Username, r.Role, r.Action, r.TargetType, r.TargetID,
		optional(r.OrgID), optional(r.EstateID),
		r.Detail, r.RequestID, r.PrevHash,
	}
	var out []byte
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

// HashOf is hex(SHA-256(Canonical(r))).
func HashOf(r models.AuditLog) string {
	sum := sha256.Sum256(Canonical(r))
	return hex.EncodeToString(sum[:])
}

// appendChained gives row its place in the chain and inserts it through tx. The
// chain head row is taken with an UPDATE first, which locks it (a row lock on
// MySQL, the writer lock on SQLite) until tx ends: two transactions appending at
// once queue here instead of both chaining onto the same entry.
func appendChained(ctx context.Context, tx *gorm.DB, row *models.AuditLog) error {
	tx = tx.WithContext(ctx)
	res := tx.Exec("UPDATE audit_chain SET seq = seq + 1 WHERE id = 1")
	if res.Error != nil {
		return fmt.Errorf("locking the audit chain: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errors.New("the audit chain head is missing (migration 00022)")
	}
	var head models.AuditChain
	if err := tx.Raw("SELECT id, seq, hash FROM audit_chain WHERE id = 1").Scan(&head).Error; err != nil {
		return fmt.Errorf("reading the audit chain: %w", err)
	}
	row.At = row.At.UTC().Truncate(time.Microsecond)
	row.Seq, row.PrevHash = head.Seq, head.Hash
	row.Hash = HashOf(*row)
	if err := tx.Create(row).Error; err != nil {
		return fmt.Errorf("writing audit log: %w", err)
	}
	if err := tx.Exec("UPDATE audit_chain SET hash = ? WHERE id = 1", row.Hash).Error; err != nil {
		return fmt.Errorf("advancing the audit chain: %w", err)
	}
	return nil
}

// Backfill renumbers and hashes, once, the audit rows written before the chain
// existed (migration 00022 gives them seq = id and no hash), in id order, and sets
// the chain head. It is a no-op when every row has its hash; the server calls it at
// start, after migrating and before anything is recorded.
func Backfill(ctx context.Context, db *gorm.DB) (int, error) {
	var pending int64
	if err := db.WithContext(ctx).Model(&models.AuditLog{}).Where("hash = ''").Count(&pending).Error; err != nil {
		return 0, fmt.Errorf("audit backfill: %w", err)
	}
	if pending == 0 {
		return 0, nil
	}
	n := 0
	err := database.Tx(ctx, db, func(tx *gorm.DB) error {
		n = 0
		var head models.AuditChain
		if err := tx.Raw("SELECT id, seq, hash FROM audit_chain WHERE id = 1 " + database.DialectOf(tx).ForUpdate()).Scan(&head).Error; err != nil {
			return fmt.Errorf("audit backfill: %w", err)
		}
		var rows []models.AuditLog
		if err := tx.Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("audit backfill: %w", err)
		}
		seq, prev := int64(0), ""
		for _, r := range rows {
			seq++
			if r.Hash != "" {
				// Rows already chained (written after the head was set): they must follow.
				if r.Seq != seq || r.PrevHash != prev {
					return fmt.Errorf("audit backfill: chained row %d does not follow the backfilled rows", r.ID)
				}
				prev = r.Hash
				continue
			}
			r.Seq, r.PrevHash = seq, prev
			r.At = r.At.UTC().Truncate(time.Microsecond)
			r.Hash = HashOf(r)
			if err := tx.Exec("UPDATE audit_logs SET seq = ?, at = ?, prev_hash = ?, hash = ? WHERE id = ? AND hash = ''",
				r.Seq, r.At, r.PrevHash, r.Hash, r.ID).Error; err != nil {
				return fmt.Errorf("audit backfill row %d: %w", r.ID, err)
			}
			prev = r.Hash
			n++
		}
		return tx.Exec("UPDATE audit_chain SET seq = ?, hash = ? WHERE id = 1", seq, prev).Error
	})
	return n, err
}

// Signer signs audit chain heads. The platform's Ed25519 key (kept like secret.key)
// is wired in by main; tests use a generated key.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
	PublicKey() ed25519.PublicKey
}

// KeySigner is a Signer over an Ed25519 private key.
type KeySigner struct{ Key ed25519.PrivateKey }

// Sign signs msg with the key.
func (k KeySigner) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.Key, msg), nil }

// PublicKey is the key's public half.
func (k KeySigner) PublicKey() ed25519.PublicKey { return k.Key.Public().(ed25519.PublicKey) }

// HeadMessage is what a signed head signs: "gongzhi-audit-v1 head\n<seq>\n<hash>\n<time>\n",
// the time as TimeLayout.
func HeadMessage(seq int64, hash string, at time.Time) []byte {
	return fmt.Appendf(nil, "%s head\n%d\n%s\n%s\n", Domain, seq, hash, at.UTC().Format(TimeLayout))
}

// SignHead signs the chain's current head and stores it (audit_heads). An empty
// chain is signed too (seq 0, hash "").
func SignHead(ctx context.Context, db *gorm.DB, s Signer, now time.Time) (models.AuditHead, error) {
	var out models.AuditHead
	err := database.Tx(ctx, db, func(tx *gorm.DB) error {
		var head models.AuditChain
		if err := tx.Raw("SELECT id, seq, hash FROM audit_chain WHERE id = 1 " + database.DialectOf(tx).ShareLock()).Scan(&head).Error; err != nil {
			return fmt.Errorf("reading the audit chain: %w", err)
		}
		at := now.UTC().Truncate(time.Microsecond)
		sig, err := s.Sign(HeadMessage(head.Seq, head.Hash, at))
		if err != nil {
			return fmt.Errorf("signing the audit head: %w", err)
		}
		out = models.AuditHead{Seq: head.Seq, Hash: head.Hash, SignedAt: at,
			PublicKey: hex.EncodeToString(s.PublicKey()), Signature: hex.EncodeToString(sig)}
		return tx.Create(&out).Error
	})
	return out, err
}

// Broken names the first place the chain does not hold.
type Broken struct {
	Seq    int64  // the entry (or head) concerned
	ID     int64  // its row id, 0 for a missing entry
	Reason string // what does not hold
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d (row id %d): %s", b.Seq, b.ID, b.Reason)
}

// Report is the outcome of Check.
type Report struct {
	Entries  int64  // entries walked
	LastHash string // hash of the last entry
	Heads    int    // signed heads verified
	Broken   *Broken
}

// Check walks the whole chain in seq order, recomputing every hash, and verifies
// every signed head: its signature under trusted (required: a head's own key proves
// nothing against whoever could rewrite the table and re-sign) and that the chain
// had that hash at that seq. The entries, the chain head and the signed heads are
// read in one consistent snapshot (database.ReadSnapshot), so an entry appended
// while the check runs can never look like a broken chain. The first thing that
// does not hold is returned in Report.Broken.
func Check(ctx context.Context, db *gorm.DB, trusted ed25519.PublicKey) (Report, error) {
	if len(trusted) != ed25519.PublicKeySize {
		return Report{}, errors.New("the expected public key is required")
	}
	var rep Report
	err := database.ReadSnapshot(ctx, db, func(tx *gorm.DB) error {
		var err error
		rep, err = check(ctx, tx, trusted, nil)
		return err
	})
	return rep, err
}

// check is Check within one snapshot; afterFirst, when set, runs once the first
// entry has been read (a test appends there to prove the snapshot holds).
func check(ctx context.Context, db *gorm.DB, trusted ed25519.PublicKey, afterFirst func()) (Report, error) {
	var rep Report
	rows, err := db.WithContext(ctx).Model(&models.AuditLog{}).Order("seq").Rows()
	if err != nil {
		return rep, fmt.Errorf("reading the audit log: %w", err)
	}
	hashAt := map[int64]string{0: ""}
	prev := ""
	for rows.Next() {
		var r models.AuditLog
		if err := db.ScanRows(rows, &r); err != nil {
			_ = rows.Close()
			return rep, fmt.Errorf("reading the audit log: %w", err)
		}
		want := rep.Entries + 1
		switch {
		case r.Seq != want:
			rep.Broken = &Broken{Seq: want, Reason: fmt.Sprintf("entry missing: the next entry has seq %d (row id %d)", r.Seq, r.ID)}
		case r.Hash == "":
			rep.Broken = &Broken{Seq: r.Seq, ID: r.ID, Reason: "entry not chained yet (rows older than migration 00022 are chained when the server starts)"}
		case r.PrevHash != prev:
			rep.Broken = &Broken{Seq: r.Seq, ID: r.ID, Reason: "prev_hash is not the previous entry's hash"}
		case HashOf(r) != r.Hash:
			rep.Broken = &Broken{Seq: r.Seq, ID: r.ID, Reason: "hash does not match the entry's content"}
		}
		if rep.Broken != nil {
			_ = rows.Close()
			return rep, nil
		}
		rep.Entries, prev = r.Seq, r.Hash
		hashAt[r.Seq] = r.Hash
		if afterFirst != nil {
			afterFirst()
			afterFirst = nil
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return rep, fmt.Errorf("reading the audit log: %w", err)
	}
	rep.LastHash = prev
	var head models.AuditChain
	if err := db.WithContext(ctx).Raw("SELECT id, seq, hash FROM audit_chain WHERE id = 1").Scan(&head).Error; err != nil {
		return rep, fmt.Errorf("reading the audit chain: %w", err)
	}
	if head.Seq != rep.Entries || head.Hash != prev {
		rep.Broken = &Broken{Seq: head.Seq, Reason: fmt.Sprintf("the chain head (seq %d) is not the last entry (seq %d)", head.Seq, rep.Entries)}
		return rep, nil
	}
	var heads []models.AuditHead
	if err := db.WithContext(ctx).Order("id").Find(&heads).Error; err != nil {
		return rep, fmt.Errorf("reading signed heads: %w", err)
	}
	for _, h := range heads {
		if b := checkHead(h, hashAt, trusted); b != nil {
			rep.Broken = b
			return rep, nil
		}
		rep.Heads++
	}
	return rep, nil
}

func checkHead(h models.AuditHead, hashAt map[int64]string, trusted ed25519.PublicKey) *Broken {
	bad := func(why string) *Broken {
		return &Broken{Seq: h.Seq, Reason: fmt.Sprintf("signed head %d: %s", h.ID, why)}
	}
	pub, err := hex.DecodeString(h.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return bad("malformed public key")
	}
	if !ed25519.PublicKey(pub).Equal(trusted) {
		return bad("signed by a key other than the trusted one")
	}
	sig, err := hex.DecodeString(h.Signature)
	if err != nil || !ed25519.Verify(pub, HeadMessage(h.Seq, h.Hash, h.SignedAt), sig) {
		return bad("signature does not verify")
	}
	if got, ok := hashAt[h.Seq]; !ok || got != h.Hash {
		return bad("the chain does not have this hash at this seq")
	}
	return nil
}

// SignHeadIfGrown signs the chain's head when it has grown since the last signed
// head (or none was signed yet), and tells whether it signed. A periodic worker
// calls it (every few minutes; main wires it with the platform key).
func SignHeadIfGrown(ctx context.Context, db *gorm.DB, s Signer, now time.Time) (bool, error) {
	var head models.AuditChain
	if err := db.WithContext(ctx).Raw("SELECT id, seq, hash FROM audit_chain WHERE id = 1").Scan(&head).Error; err != nil {
		return false, fmt.Errorf("reading the audit chain: %w", err)
	}
	var last []int64
	if err := db.WithContext(ctx).Model(&models.AuditHead{}).Order("id DESC").Limit(1).Pluck("seq", &last).Error; err != nil {
		return false, fmt.Errorf("reading signed heads: %w", err)
	}
	if len(last) == 1 && last[0] >= head.Seq {
		return false, nil
	}
	_, err := SignHead(ctx, db, s, now)
	return err == nil, err
}

// RunHeadSigner signs the chain's head every interval when it has grown (and once
// at start), until ctx ends. main starts it with the platform key:
//
//	go audit.RunHeadSigner(ctx, db, platformKey, 5*time.Minute, clock.Now, log)
func RunHeadSigner(ctx context.Context, db *gorm.DB, s Signer, every time.Duration, now func() time.Time, log *slog.Logger) {
	sign := func() {
		if signed, err := SignHeadIfGrown(ctx, db, s, now()); err != nil {
			if ctx.Err() == nil {
				log.Error("signing the audit chain head", "error", err)
			}
		} else if signed {
			log.Debug("audit chain head signed")
		}
	}
	sign()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sign()
		}
	}
}
