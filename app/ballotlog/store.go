package ballotlog

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
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
// sequencers then find the row to lock (Integrate creates it otherwise, and two
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

// The write path (docs/bundle.md): a ballot's transaction records its leaf in
// ballot_log_pending (Enqueue: one multi-row INSERT, no shared row touched), and a
// sequencer numbers pending leaves later in a transaction of its own, or in the
// transaction of a head about to be signed (Integrate). A pending row leaves the
// queue only in the transaction that writes its sequenced leaf (the database
// refuses any other DELETE, and any UPDATE, migration 00031).

// Enqueue records leaves of one vote awaiting their sequence in the caller's
// transaction (Integrate numbers them in the order of their ballots' ids). Each
// leaf's fields but its sequence are kept with it.
func Enqueue(ctx context.Context, c Conn, voteID int64, leaves []Leaf) error {
	if len(leaves) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO ballot_log_pending (vote_id, ballot_id, is_void, leaf) VALUES ")
	for i, l := range leaves {
		if !validKind(l.Kind) {
			return fmt.Errorf("ballot log: leaf kind %q unknown", l.Kind)
		}
		raw, err := json.Marshal(pendingLeaf{Kind: l.Kind, Receipt: l.Receipt, Area: l.Area, Headcount: l.Headcount, Choices: l.Choices, Time: l.Time.UTC()})
		if err != nil {
			return fmt.Errorf("ballot log pending leaf: %w", err)
		}
		if i > 0 {
			q.WriteString(", ")
		}
		isVoid := "FALSE"
		if l.Kind == KindVoid {
			isVoid = "TRUE"
		}
		// Every value is a number or a hex literal: nothing is bound (the pure-Go
		// SQLite driver binds in time quadratic in a statement's parameters).
		q.WriteString("(" + strconv.FormatInt(voteID, 10) + ", " + strconv.FormatInt(l.BallotID, 10) + ", " + isVoid + ", X'" + hex.EncodeToString(raw) + "')")
	}
	if _, err := c.ExecContext(ctx, q.String()); err != nil {
		return fmt.Errorf("queueing ballot log leaves: %w", err)
	}
	return nil
}

// pendingLeaf is a queued leaf as stored: a Leaf without its sequence.
type pendingLeaf struct {
	Kind      string    `json:"k"`
	Receipt   string    `json:"r"`
	Area      int64     `json:"a"`
	Headcount int       `json:"h"`
	Choices   string    `json:"c"`
	Time      time.Time `json:"t"`
}

// Locks are the clauses Integrate reads with: State takes the vote's tree state
// row (" FOR UPDATE" on MySQL, "" on SQLite, whose writers run one at a time);
// Pending reads the queue (" FOR UPDATE SKIP LOCKED" to pass over leaves of
// transactions not yet committed, " FOR UPDATE" to wait for them; ""on SQLite).
// Both are locking reads on MySQL, which see the latest committed rows whatever the
// transaction's snapshot: a leaf another sequencer took is gone from the queue.
type Locks struct{ State, Pending string }

// integrateChunk bounds the leaves one round of Integrate reads and writes.
const integrateChunk = 2048

// Integrate numbers the vote's pending leaves in the caller's transaction: under
// the lock of the vote's state row it reads the queue in its order (by ballot id,
// a ballot's leaf before its void's), gives the leaves the tree's next sequences, writes them, removes
// them from the queue and stores the extended compact range. Two sequencers of one
// vote (two server instances) take turns on the state row, so a sequence is never
// given twice nor skipped (and the leaves' UNIQUE (ballot_id, is_void) would refuse
// a leaf sequenced twice). It returns the new state and how many leaves it
// sequenced.
func Integrate(ctx context.Context, c Conn, locks Locks, now time.Time, voteID int64) (State, int, error) {
	st, found, err := readState(ctx, c, voteID, locks.State)
	if err != nil {
		return State{}, 0, err
	}
	if !found {
		// A vote opened before the log existed: its state row is created here.
		if err := Init(ctx, c, voteID, now); err != nil {
			return State{}, 0, err
		}
		if st, _, err = readState(ctx, c, voteID, locks.State); err != nil {
			return State{}, 0, err
		}
	}
	total := 0
	for {
		which, leaves, err := readPending(ctx, c, voteID, locks.Pending)
		if err != nil {
			return State{}, 0, err
		}
		if len(leaves) == 0 {
			break
		}
		next, q, err := extend(st, voteID, leaves)
		if err != nil {
			return State{}, 0, err
		}
		if _, err := c.ExecContext(ctx, q); err != nil {
			return State{}, 0, fmt.Errorf("writing ballot log leaves: %w", err)
		}
		res, err := c.ExecContext(ctx, "DELETE FROM ballot_log_pending WHERE "+which)
		if err != nil {
			return State{}, 0, fmt.Errorf("removing sequenced leaves from the queue: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(len(leaves)) {
			return State{}, 0, fmt.Errorf("ballot log of vote %d: %d of %d queued leaves already taken", voteID, int64(len(leaves))-n, len(leaves))
		}
		st = next
		total += len(leaves)
		if len(leaves) < integrateChunk {
			break
		}
	}
	if total == 0 {
		return st, 0, nil
	}
	if _, err := c.ExecContext(ctx, "UPDATE ballot_log_state SET size = ?, frontier = ?, updated_at = ? WHERE vote_id = ?",
		int64(st.Size), frontierText(st.Frontier), now.UTC(), voteID); err != nil {
		return State{}, 0, fmt.Errorf("storing ballot log state: %w", err)
	}
	return st, total, nil
}

// readPending reads up to integrateChunk queued leaves of the vote in queue order
// ((ballot_id, is_void): a ballot's leaf before its void's): the condition that
// selects them for their DELETE, and the leaves, not yet numbered.
func readPending(ctx context.Context, c Conn, voteID int64, lock string) (string, []Leaf, error) {
	rows, err := c.QueryContext(ctx, "SELECT ballot_id, is_void, leaf FROM ballot_log_pending WHERE vote_id = ? ORDER BY ballot_id, is_void LIMIT "+
		strconv.Itoa(integrateChunk)+lock, voteID)
	if err != nil {
		return "", nil, fmt.Errorf("queued ballot log leaves of vote %d: %w", voteID, err)
	}
	defer rows.Close()
	var ballots, voids []string
	var out []Leaf
	for rows.Next() {
		var ballotID int64
		var isVoid bool
		var raw []byte
		if err := rows.Scan(&ballotID, &isVoid, &raw); err != nil {
			return "", nil, fmt.Errorf("queued ballot log leaves of vote %d: %w", voteID, err)
		}
		var p pendingLeaf
		if err := json.Unmarshal(raw, &p); err != nil {
			return "", nil, fmt.Errorf("queued ballot log leaf of ballot %d of vote %d: %w", ballotID, voteID, err)
		}
		if (p.Kind == KindVoid) != isVoid {
			return "", nil, fmt.Errorf("queued ballot log leaf of ballot %d of vote %d: kind %s", ballotID, voteID, p.Kind)
		}
		if isVoid {
			voids = append(voids, strconv.FormatInt(ballotID, 10))
		} else {
			ballots = append(ballots, strconv.FormatInt(ballotID, 10))
		}
		out = append(out, Leaf{Kind: p.Kind, Receipt: p.Receipt, Area: p.Area, Headcount: p.Headcount, Choices: p.Choices, Time: p.Time, BallotID: ballotID})
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("queued ballot log leaves of vote %d: %w", voteID, err)
	}
	var conds []string
	if len(ballots) > 0 {
		conds = append(conds, "(is_void = FALSE AND ballot_id IN ("+strings.Join(ballots, ",")+"))")
	}
	if len(voids) > 0 {
		conds = append(conds, "(is_void = TRUE AND ballot_id IN ("+strings.Join(voids, ",")+"))")
	}
	return "vote_id = " + strconv.FormatInt(voteID, 10) + " AND (" + strings.Join(conds, " OR ") + ")", out, nil
}

// Pending reports whether the ballot leaf (not a void) of a receipt code is queued
// and not yet sequenced.
func Pending(ctx context.Context, c Conn, receipt string) (bool, error) {
	var n int64
	err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM ballot_log_pending p JOIN ballots b ON b.id = p.ballot_id
		WHERE b.receipt = ? AND p.is_void = FALSE`, receipt).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("queued ballot log leaf of a receipt: %w", err)
	}
	return n > 0, nil
}

// PendingVotes lists the votes with queued leaves.
func PendingVotes(ctx context.Context, c Conn) ([]int64, error) {
	rows, err := c.QueryContext(ctx, "SELECT DISTINCT vote_id FROM ballot_log_pending ORDER BY vote_id")
	if err != nil {
		return nil, fmt.Errorf("votes with queued ballot log leaves: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("votes with queued ballot log leaves: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
// stores it, having first sequenced the vote's queued leaves in that transaction
// (Integrate with locks): a closing head read with Locks.Pending " FOR UPDATE"
// covers every ballot committed before it. A checkpoint of a tree that has not
// grown since the last signed head is not stored again (the last head is returned,
// created false).
func SignHead(ctx context.Context, c Conn, s *Signer, locks Locks, voteID int64, kind string, now time.Time) (Head, bool, error) {
	return signHead(ctx, c, s, locks, voteID, kind, now, "", "")
}

// SignClosingHead signs the vote's closing head in the close's transaction, binding
// the tree (every queued leaf integrated first), the SHA-256 of the recount spec's
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
	st, _, err := Integrate(ctx, c, locks, now, voteID)
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
