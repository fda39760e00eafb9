package ballotlog

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Conn is what the log needs of a transaction: *sql.Tx, or a gorm transaction's
// ConnPool.
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// factory builds compact ranges with RFC 6962 interior hashing.
var factory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// State is a vote's tree as stored: its size and compact range [0, size).
type State struct {
	Size     uint64
	Frontier [][]byte
}

// Root is the tree's RFC 6962 root hash (that of the empty tree for size 0).
func (st State) Root() ([]byte, error) {
	if st.Size == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	r, err := factory.NewRange(0, st.Size, st.Frontier)
	if err != nil {
		return nil, fmt.Errorf("ballot log frontier: %w", err)
	}
	return r.GetRootHash(nil)
}

// readState reads a vote's tree state through c, with lock appended (" FOR UPDATE"
// on MySQL when appending); no row is the empty tree, found false.
func readState(ctx context.Context, c Conn, voteID int64, lock string) (State, bool, error) {
	var size int64
	var frontier string
	err := c.QueryRowContext(ctx, "SELECT size, frontier FROM ballot_log_state WHERE vote_id = ?"+lock, voteID).Scan(&size, &frontier)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("ballot log state of vote %d: %w", voteID, err)
	}
	st := State{Size: uint64(size)}
	if frontier != "" {
		for _, h := range strings.Split(frontier, ",") {
			b, err := hex.DecodeString(h)
			if err != nil {
				return State{}, false, fmt.Errorf("ballot log state of vote %d: %w", voteID, err)
			}
			st.Frontier = append(st.Frontier, b)
		}
	}
	return st, true, nil
}

// Init stores the empty log of a vote as it opens, in the opening's transaction:
// writers then find the row to lock (lockState creates it otherwise, and two
// first integrations at once on MySQL deadlock and are retried).
func Init(ctx context.Context, c Conn, voteID int64, now time.Time) error {
	if _, err := c.ExecContext(ctx, "INSERT INTO ballot_log_state (vote_id, size, frontier, updated_at) VALUES (?, 0, '', ?)", voteID, now.UTC()); err != nil {
		return fmt.Errorf("creating the ballot log of vote %d: %w", voteID, err)
	}
	return nil
}

// ReadState reads a vote's tree state through c without a lock.
func ReadState(ctx context.Context, c Conn, voteID int64) (State, error) {
	st, _, err := readState(ctx, c, voteID, "")
	return st, err
}

// The write path (docs/bundle.md): a leaf is never stored before it is numbered.
// Its content is the ballot's own row (channel, receipt, cast time, the voter's
// area, the choices, and the void's time): every leaf is rebuilt from the ballot it
// names (Leaves), so the ballot's transaction, which writes that row, writes the
// leaf's content, and numbering it later adds its sequence and hash. Online casts
// are numbered right after their commit by the sequencer (Append, with the leaves
// the casts handed it in memory); paper and proxy entries in their own transaction
// (Append); a void, a signed head and a sequencer's recovery pass number whatever
// committed ballot or void of the vote has no leaf yet (Sweep), so a ballot whose
// leaf a crash kept from being numbered is numbered by the next pass or head, and a
// closing head, swept under the close's locks, covers every ballot committed before
// it. Every writer takes the vote's state row first; a leaf already in the tree is
// skipped, and the leaves' UNIQUE (ballot_id, is_void) would refuse one numbered
// twice.

// Locks are the clauses the log is written with: State takes the vote's tree state
// row (" FOR UPDATE" on MySQL, "" on SQLite, whose writers run one at a time); Read
// reads ballots and leaves (a locking read, " LOCK IN SHARE MODE", in a transaction
// at REPEATABLE READ on MySQL, which then sees the latest committed rows whatever its
// snapshot; "" at READ COMMITTED and on SQLite). NoSweep signs heads over the tree
// as stored, numbering nothing first: the log switched off for the cast benchmark
// and the resolution's byte-for-byte golden test (voting.SetBallotLogForTesting).
type Locks struct {
	State, Read string
	NoSweep     bool
}

// appendChunk bounds the leaves one INSERT writes and one sweep round reads.
const appendChunk = 2048

// lockState reads the vote's tree state under locks.State, creating the empty log
// of a vote opened before the log existed.
func lockState(ctx context.Context, c Conn, locks Locks, now time.Time, voteID int64) (State, error) {
	st, found, err := readState(ctx, c, voteID, locks.State)
	if err != nil || found {
		return st, err
	}
	if err := Init(ctx, c, voteID, now); err != nil {
		return State{}, err
	}
	st, _, err = readState(ctx, c, voteID, locks.State)
	return st, err
}

// Append numbers leaves of one vote in the caller's transaction, in the order given,
// skipping those already in the tree (a sweep may have numbered them first), and
// returns the new state and how many it numbered. The leaves must be those of
// committed or same-transaction ballots of the vote, each with its BallotID.
func Append(ctx context.Context, c Conn, locks Locks, now time.Time, voteID int64, leaves []Leaf) (State, int, error) {
	st, err := lockState(ctx, c, locks, now, voteID)
	if err != nil || len(leaves) == 0 {
		return st, 0, err
	}
	fresh, err := notInTree(ctx, c, locks, leaves)
	if err != nil {
		return State{}, 0, err
	}
	st, err = appendLocked(ctx, c, st, now, voteID, fresh)
	return st, len(fresh), err
}

// notInTree keeps the leaves whose (ballot, void) has no leaf stored yet.
func notInTree(ctx context.Context, c Conn, locks Locks, leaves []Leaf) ([]Leaf, error) {
	var ids []string
	for _, l := range leaves {
		ids = append(ids, strconv.FormatInt(l.BallotID, 10))
	}
	// Numbers only: nothing is bound (see extend's note on the SQLite driver).
	rows, err := c.QueryContext(ctx, "SELECT ballot_id, is_void FROM ballot_log_leaves WHERE ballot_id IN ("+strings.Join(ids, ",")+")"+locks.Read)
	if err != nil {
		return nil, fmt.Errorf("ballot log leaves already numbered: %w", err)
	}
	defer rows.Close()
	type key struct {
		ballot int64
		void   bool
	}
	have := map[key]bool{}
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.ballot, &k.void); err != nil {
			return nil, fmt.Errorf("ballot log leaves already numbered: %w", err)
		}
		have[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ballot log leaves already numbered: %w", err)
	}
	if len(have) == 0 {
		return leaves, nil
	}
	out := make([]Leaf, 0, len(leaves))
	for _, l := range leaves {
		k := key{l.BallotID, l.Kind == KindVoid}
		if !have[k] {
			have[k] = true // a leaf given twice is numbered once
			out = append(out, l)
		}
	}
	return out, nil
}

// appendLocked numbers leaves from st's size and writes them and the new state, st's
// row being locked by the caller.
func appendLocked(ctx context.Context, c Conn, st State, now time.Time, voteID int64, leaves []Leaf) (State, error) {
	if len(leaves) == 0 {
		return st, nil
	}
	for start := 0; start < len(leaves); start += appendChunk {
		next, q, err := extend(st, voteID, leaves[start:min(start+appendChunk, len(leaves))])
		if err != nil {
			return State{}, err
		}
		if _, err := c.ExecContext(ctx, q); err != nil {
			return State{}, fmt.Errorf("writing ballot log leaves: %w", err)
		}
		st = next
	}
	if _, err := c.ExecContext(ctx, "UPDATE ballot_log_state SET size = ?, frontier = ?, updated_at = ? WHERE vote_id = ?",
		int64(st.Size), frontierText(st.Frontier), now.UTC(), voteID); err != nil {
		return State{}, fmt.Errorf("storing ballot log state: %w", err)
	}
	return st, nil
}

// Sweep numbers, in the caller's transaction, every ballot of the vote (or, with
// ballotID set, that one ballot) that has no leaf yet, in ballot id order, then
// every void without its leaf: a ballot's leaf always comes before its void's. It
// returns the new state and how many leaves it numbered.
func Sweep(ctx context.Context, c Conn, locks Locks, now time.Time, voteID, ballotID int64) (State, int, error) {
	st, err := lockState(ctx, c, locks, now, voteID)
	if err != nil {
		return State{}, 0, err
	}
	total := 0
	for _, q := range []string{sweepBallots, sweepVoids} {
		for {
			args := []any{voteID}
			where := ""
			if ballotID != 0 {
				where, args = " AND b.id = ?", append(args, ballotID)
			}
			leaves, err := missingLeaves(ctx, c, q+where+" ORDER BY b.id LIMIT "+strconv.Itoa(appendChunk)+locks.Read, args)
			if err != nil {
				return State{}, 0, fmt.Errorf("ballots of vote %d without a log leaf: %w", voteID, err)
			}
			if st, err = appendLocked(ctx, c, st, now, voteID, leaves); err != nil {
				return State{}, 0, err
			}
			total += len(leaves)
			if len(leaves) < appendChunk {
				break
			}
		}
	}
	return st, total, nil
}

// sweepBallots and sweepVoids select the ballots and voids of a vote that have no
// leaf, with what their leaves are made of (kind, receipt, time, area, choices),
// the anti-join read through the leaves' UNIQUE (ballot_id, is_void).
const (
	sweepBallots = `SELECT b.id, b.channel, b.receipt, b.cast_at, vv.area, bc.choices
	FROM ballots b
	JOIN vote_voters vv ON vv.id = b.voter_id
	JOIN ballot_contents bc ON bc.ballot_id = b.id
	LEFT JOIN ballot_log_leaves l ON l.ballot_id = b.id AND l.is_void = FALSE
	WHERE b.vote_id = ? AND l.ballot_id IS NULL`
	sweepVoids = `SELECT b.id, '` + KindVoid + `', b.receipt, bv.voided_at, vv.area, ''
	FROM ballot_voids bv
	JOIN ballots b ON b.id = bv.ballot_id
	JOIN vote_voters vv ON vv.id = b.voter_id
	LEFT JOIN ballot_log_leaves l ON l.ballot_id = bv.ballot_id AND l.is_void = TRUE
	WHERE bv.vote_id = ? AND l.ballot_id IS NULL`
)

// missingLeaves reads the leaves a sweep query selects.
func missingLeaves(ctx context.Context, c Conn, q string, args []any) ([]Leaf, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Leaf
	for rows.Next() {
		l := Leaf{Headcount: 1}
		if err := rows.Scan(&l.BallotID, &l.Kind, &l.Receipt, &l.Time, &l.Area, &l.Choices); err != nil {
			return nil, err
		}
		l.Time = l.Time.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// Unnumbered reports whether the vote has a committed ballot or void without its
// leaf (the sequencer's recovery pass sweeps only those votes): the tree's size is
// then short of the count of its ballots and voids, each of which has at most one
// leaf. Read without locks, it is a hint, not a guarantee.
func Unnumbered(ctx context.Context, c Conn, voteID int64) (bool, error) {
	var ballots, voids, size int64
	err := c.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ballots WHERE vote_id = ?),
		(SELECT COUNT(*) FROM ballot_voids WHERE vote_id = ?),
		COALESCE((SELECT size FROM ballot_log_state WHERE vote_id = ?), 0)`, voteID, voteID, voteID).Scan(&ballots, &voids, &size)
	if err != nil {
		return false, fmt.Errorf("ballot log of vote %d: counting its ballots: %w", voteID, err)
	}
	return ballots+voids > size, nil
}

// Pending reports whether a receipt code names a ballot of an open vote whose leaf
// is not numbered yet (a cast of the last moments).
func Pending(ctx context.Context, c Conn, receipt string) (bool, error) {
	var n int64
	err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM ballots b JOIN votes v ON v.id = b.vote_id
		LEFT JOIN ballot_log_leaves l ON l.ballot_id = b.id AND l.is_void = FALSE
		WHERE b.receipt = ? AND v.state = 'open' AND l.ballot_id IS NULL`, receipt).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("unnumbered ballot of a receipt: %w", err)
	}
	return n > 0, nil
}

// frontierText is the stored form of a compact range: hex hashes, comma-separated.
func frontierText(hs [][]byte) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = hex.EncodeToString(h)
	}
	return strings.Join(parts, ",")
}

// extend numbers leaves from st's size, appends their hashes to st's compact range
// and returns the new state and the multi-row INSERT of the leaves.
func extend(st State, voteID int64, leaves []Leaf) (State, string, error) {
	r, err := factory.NewRange(0, st.Size, st.Frontier)
	if err != nil {
		return State{}, "", fmt.Errorf("ballot log frontier of vote %d: %w", voteID, err)
	}
	var q strings.Builder
	q.WriteString("INSERT INTO ballot_log_leaves (vote_id, seq, ballot_id, is_void, leaf_hash) VALUES ")
	for i := range leaves {
		leaves[i].Seq = st.Size + uint64(i)
		raw := leaves[i].Bytes()
		h := rfc6962.DefaultHasher.HashLeaf(raw)
		if err := r.Append(h, nil); err != nil {
			return State{}, "", fmt.Errorf("ballot log append: %w", err)
		}
		if i > 0 {
			q.WriteString(", ")
		}
		// Every value is a number or a hex literal: nothing is bound (the pure-Go
		// SQLite driver binds in time quadratic in a statement's parameters). The
		// leaf's bytes are not stored but rebuilt from the ballot (Leaves).
		if !validKind(leaves[i].Kind) {
			return State{}, "", fmt.Errorf("ballot log: leaf kind %q unknown", leaves[i].Kind)
		}
		isVoid := "FALSE"
		if leaves[i].Kind == KindVoid {
			isVoid = "TRUE"
		}
		q.WriteString("(" + strconv.FormatInt(voteID, 10) + ", " + strconv.FormatUint(leaves[i].Seq, 10) + ", " +
			strconv.FormatInt(leaves[i].BallotID, 10) + ", " + isVoid + ", X'" + hex.EncodeToString(h) + "')")
	}
	return State{Size: r.End(), Frontier: r.Hashes()}, q.String(), nil
}

// SignHead signs the vote's current tree head in the caller's transaction and
// stores it, having first numbered every ballot and void of the vote still without
// a leaf in that transaction (Sweep with locks): a closing head swept under the
// close's locks covers every ballot committed before it. A checkpoint of a tree that has not
// grown since the last signed head is not stored again (the last head is returned,
// created false).
func SignHead(ctx context.Context, c Conn, s *Signer, locks Locks, voteID int64, kind string, now time.Time) (Head, bool, error) {
	return signHead(ctx, c, s, locks, voteID, kind, now, "", "")
}

// SignClosingHead signs the vote's closing head in the close's transaction, binding
// the tree (every ballot without a leaf numbered first), the SHA-256 of the recount spec's
// canonical bytes and the SHA-256 of the published result document (format
// gongzhi-ballot-log/2, docs/bundle.md).
func SignClosingHead(ctx context.Context, c Conn, s *Signer, locks Locks, voteID int64, now time.Time, specSHA256, resultsSHA256 string) (Head, error) {
	if specSHA256 == "" || resultsSHA256 == "" {
		return Head{}, fmt.Errorf("closing head of vote %d: the spec and results hashes are required", voteID)
	}
	h, _, err := signHead(ctx, c, s, locks, voteID, HeadClose, now, specSHA256, resultsSHA256)
	return h, err
}

func signHead(ctx context.Context, c Conn, s *Signer, locks Locks, voteID int64, kind string, now time.Time, specSHA256, resultsSHA256 string) (Head, bool, error) {
	var st State
	var err error
	if locks.NoSweep {
		st, err = lockState(ctx, c, locks, now, voteID)
	} else {
		st, _, err = Sweep(ctx, c, locks, now, voteID, 0)
	}
	if err != nil {
		return Head{}, false, err
	}
	if kind == HeadCheckpoint {
		last, ok, err := LastHead(ctx, c, voteID)
		if err != nil {
			return Head{}, false, err
		}
		if ok && last.Size == st.Size {
			return last, false, nil
		}
	}
	root, err := st.Root()
	if err != nil {
		return Head{}, false, err
	}
	h := s.Sign(Head{VoteID: voteID, Kind: kind, Size: st.Size, RootHash: hex.EncodeToString(root), SignedAt: now,
		SpecSHA256: specSHA256, ResultsSHA256: resultsSHA256})
	if _, err := c.ExecContext(ctx, "INSERT INTO ballot_log_heads (vote_id, kind, size, root_hash, signed_at, key_id, signature, spec_sha256, results_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		h.VoteID, h.Kind, int64(h.Size), h.RootHash, h.SignedAt, h.KeyID, h.Signature, h.SpecSHA256, h.ResultsSHA256); err != nil {
		return Head{}, false, fmt.Errorf("storing a signed tree head: %w", err)
	}
	return h, true, nil
}

// headColumns are the columns of a stored head, in Head's order.
const headColumns = "vote_id, kind, size, root_hash, signed_at, key_id, signature, spec_sha256, results_sha256"

func scanHead(sc interface{ Scan(...any) error }) (Head, error) {
	var h Head
	var size int64
	if err := sc.Scan(&h.VoteID, &h.Kind, &size, &h.RootHash, &h.SignedAt, &h.KeyID, &h.Signature, &h.SpecSHA256, &h.ResultsSHA256); err != nil {
		return Head{}, err
	}
	h.Size, h.SignedAt = uint64(size), h.SignedAt.UTC()
	return h, nil
}

// LastHead is the vote's latest signed head (ok false: none yet).
func LastHead(ctx context.Context, c Conn, voteID int64) (Head, bool, error) {
	h, err := scanHead(c.QueryRowContext(ctx, "SELECT "+headColumns+" FROM ballot_log_heads WHERE vote_id = ? ORDER BY id DESC LIMIT 1", voteID))
	if errors.Is(err, sql.ErrNoRows) {
		return Head{}, false, nil
	}
	if err != nil {
		return Head{}, false, fmt.Errorf("last signed head of vote %d: %w", voteID, err)
	}
	return h, true, nil
}

// Heads lists every signed head of the vote in signing order.
func Heads(ctx context.Context, c Conn, voteID int64) ([]Head, error) {
	rows, err := c.QueryContext(ctx, "SELECT "+headColumns+" FROM ballot_log_heads WHERE vote_id = ? ORDER BY id", voteID)
	if err != nil {
		return nil, fmt.Errorf("signed heads of vote %d: %w", voteID, err)
	}
	defer rows.Close()
	out := []Head{}
	for rows.Next() {
		h, err := scanHead(rows)
		if err != nil {
			return nil, fmt.Errorf("signed heads of vote %d: %w", voteID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// StoredLeaf is a leaf as stored: its sequence, bytes and hash.
type StoredLeaf struct {
	Seq  uint64
	Leaf string // canonical bytes
	Hash []byte
}

// leafSelect reads what a leaf is rebuilt from: its sequence, whether it is a
// void, its stored hash, and its ballot's channel, receipt, cast time, voter's
// area, choices and void time.
const leafSelect = `SELECT l.vote_id, l.seq, l.is_void, l.leaf_hash, b.channel, b.receipt, b.cast_at, vv.area, bc.choices, bv.voided_at
	FROM ballot_log_leaves l
	JOIN ballots b ON b.id = l.ballot_id
	JOIN vote_voters vv ON vv.id = b.voter_id
	JOIN ballot_contents bc ON bc.ballot_id = b.id
	LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
	`

// scanLeaf rebuilds a leaf from a row of leafSelect.
func scanLeaf(sc interface{ Scan(...any) error }) (int64, StoredLeaf, error) {
	var (
		voteID, seq, area int64
		isVoid            bool
		h                 []byte
		channel, receipt  string
		choices           string
		castAt            time.Time
		voidedAt          *time.Time
	)
	if err := sc.Scan(&voteID, &seq, &isVoid, &h, &channel, &receipt, &castAt, &area, &choices, &voidedAt); err != nil {
		return 0, StoredLeaf{}, err
	}
	if len(h) != 32 {
		return 0, StoredLeaf{}, fmt.Errorf("ballot log leaf %d of vote %d: a hash of %d bytes", seq, voteID, len(h))
	}
	l := Leaf{Seq: uint64(seq), Kind: channel, Receipt: receipt, Area: area, Headcount: 1, Choices: choices, Time: castAt}
	if isVoid {
		if voidedAt == nil {
			return 0, StoredLeaf{}, fmt.Errorf("ballot log leaf %d of vote %d: a void without its record", seq, voteID)
		}
		l.Kind, l.Choices, l.Time = KindVoid, "", *voidedAt
	}
	return voteID, StoredLeaf{Seq: l.Seq, Leaf: string(l.Bytes()), Hash: h}, nil
}

// Leaves reads the vote's first n leaves (all when n is 0) in sequence order, each
// rebuilt from its ballot, with the hash stored when it was appended (a rebuilt leaf
// that does not hash to it was changed since: the verifier names it).
func Leaves(ctx context.Context, c Conn, voteID int64, n uint64) ([]StoredLeaf, error) {
	q := leafSelect + "WHERE l.vote_id = ?"
	args := []any{voteID}
	if n > 0 {
		q += " AND l.seq < ?"
		args = append(args, int64(n))
	}
	rows, err := c.QueryContext(ctx, q+" ORDER BY l.seq", args...)
	if err != nil {
		return nil, fmt.Errorf("ballot log leaves of vote %d: %w", voteID, err)
	}
	defer rows.Close()
	var out []StoredLeaf
	for rows.Next() {
		_, l, err := scanLeaf(rows)
		if err != nil {
			return nil, fmt.Errorf("ballot log leaves of vote %d: %w", voteID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LeafByReceipt finds the ballot leaf (not a void) of a receipt code: its vote and
// sequence (ok false: none).
func LeafByReceipt(ctx context.Context, c Conn, receipt string) (voteID int64, leaf StoredLeaf, ok bool, err error) {
	voteID, leaf, err = scanLeaf(c.QueryRowContext(ctx, leafSelect+"WHERE b.receipt = ? AND l.is_void = FALSE", receipt))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, StoredLeaf{}, false, nil
	}
	if err != nil {
		return 0, StoredLeaf{}, false, fmt.Errorf("ballot log leaf of a receipt: %w", err)
	}
	return voteID, leaf, true, nil
}

// LeafHashes reads the hashes of the vote's first n leaves, in sequence order (what
// a proof needs, without the leaves' bytes).
func LeafHashes(ctx context.Context, c Conn, voteID int64, n uint64) ([][]byte, error) {
	rows, err := c.QueryContext(ctx, "SELECT seq, leaf_hash FROM ballot_log_leaves WHERE vote_id = ? AND seq < ? ORDER BY seq", voteID, int64(n))
	if err != nil {
		return nil, fmt.Errorf("ballot log hashes of vote %d: %w", voteID, err)
	}
	defer rows.Close()
	out := make([][]byte, 0, n)
	for rows.Next() {
		var seq int64
		var h []byte
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, fmt.Errorf("ballot log hashes of vote %d: %w", voteID, err)
		}
		if seq != int64(len(out)) || len(h) != 32 {
			return nil, fmt.Errorf("ballot log of vote %d: leaf %d missing or malformed", voteID, len(out))
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
