package voting

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
	"gongzhi/models"
)

// LogProof is a ballot's place in its vote's log: the leaf, its inclusion proof and
// the signed head it is proved against (hashes hex). Pending is true when no signed
// head covers the leaf yet: the leaf is shown, the proof and head are empty until
// the next checkpoint (the checkpoint worker or the staff's button) or the close.
type LogProof struct {
	VoteID   int64
	Seq      uint64
	Leaf     string
	LeafHash string
	Proof    []string
	Head     ballotlog.Head

	// Pending: the ballot's leaf is queued and not numbered yet (a cast of the last
	// moments); no proof yet, the receipt is to be checked again shortly.
	Pending bool
}

// sqlConn is the database/sql handle of the service's pool.
func (s *Service) sqlConn() (ballotlog.Conn, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	return sqlDB, nil
}

// leafHashes reads the hashes of the vote's first n leaves.
func (s *Service) leafHashes(ctx context.Context, voteID int64, n uint64) ([][]byte, error) {
	c, err := s.sqlConn()
	if err != nil {
		return nil, err
	}
	return ballotlog.LeafHashes(ctx, c, voteID, n)
}

// ReceiptProof is the log proof of a receipt code (public, like VerifyReceipt): the
// ballot's leaf, proved against the vote's latest stored signed head. It only
// reads: a receipt is looked up by GET, and a GET never numbers, signs or stores
// anything. A ballot whose leaf is still queued (a cast of the last moments, not yet
// numbered by the sequencer) has a proof with Pending set and nothing else; a
// numbered leaf that no head covers yet is Pending with its leaf (the checkpoint
// worker, the staff's checkpoint button and the close sign heads). An unknown code
// is the same 404 as VerifyReceipt's; ok is false for a ballot cast before the log
// existed.
func (s *Service) ReceiptProof(ctx context.Context, code string) (LogProof, bool, error) {
	code = NormalizeReceipt(code)
	c, err := s.sqlConn()
	if err != nil {
		return LogProof{}, false, app.Internal(err)
	}
	voteID, leaf, ok, err := ballotlog.LeafByReceipt(ctx, c, code)
	if err != nil {
		return LogProof{}, false, app.Internal(err)
	}
	if !ok {
		pending, err := ballotlog.Pending(ctx, c, code)
		if err != nil {
			return LogProof{}, false, app.Internal(err)
		}
		return LogProof{Pending: pending}, pending, nil
	}
	out := LogProof{VoteID: voteID, Seq: leaf.Seq, Leaf: leaf.Leaf, LeafHash: hex.EncodeToString(leaf.Hash)}
	head, found, err := ballotlog.LastHead(ctx, c, voteID)
	if err != nil {
		return LogProof{}, false, app.Internal(err)
	}
	if !found || head.Size <= leaf.Seq {
		out.Pending = true
		return out, true, nil
	}
	hs, err := s.leafHashes(ctx, voteID, head.Size)
	if err != nil {
		return LogProof{}, false, app.Internal(err)
	}
	pr, err := ballotlog.InclusionProof(hs, leaf.Seq, head.Size)
	if err != nil {
		return LogProof{}, false, app.Internal(err)
	}
	out.Proof, out.Head = ballotlog.HexHashes(pr), head
	return out, true, nil
}

// checkpointTx is the transaction a checkpoint is signed in: READ COMMITTED on
// MySQL, so that its sweep reads the committed ballots without locking them (a
// locking read at REPEATABLE READ would hold the gaps of the vote's ballots and
// stall its casts until the checkpoint commits); a checkpoint need not cover casts
// still in flight, the close's head does.
var checkpointTx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}

// checkpoint signs a checkpoint of the vote's log in its own transaction (nothing
// new is stored when the tree has not grown since the last head).
func (s *Service) checkpoint(ctx context.Context, voteID int64) (ballotlog.Head, error) {
	var h ballotlog.Head
	err := database.TxOpts(ctx, s.db, checkpointTx, func(tx *gorm.DB) error {
		var err error
		h, _, err = s.signHead(ctx, tx.Statement.ConnPool, voteID, ballotlog.HeadCheckpoint, s.now())
		return err
	})
	return h, err
}

// Checkpoint signs a checkpoint of an open vote's log on demand (access.RunVote).
func (s *Service) Checkpoint(ctx context.Context, p app.Principal, voteID int64) (ballotlog.Head, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return ballotlog.Head{}, err
	}
	if v.State != models.VoteOpen {
		return ballotlog.Head{}, app.Fail(app.EConflict, "err.voting.checkpoints_are_signed_while_the_vote_is_open")
	}
	var h ballotlog.Head
	err = database.TxOpts(ctx, s.db, checkpointTx, func(tx *gorm.DB) error {
		var created bool
		var err error
		if h, created, err = s.signHead(ctx, tx.Statement.ConnPool, v.ID, ballotlog.HeadCheckpoint, s.now()); err != nil || !created {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.log_checkpoint", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"size": h.Size, "root_hash": h.RootHash}})
	})
	if err != nil {
		return ballotlog.Head{}, app.AsErrorOrNil(err)
	}
	return h, nil
}

// CheckpointOpen signs a checkpoint of every open vote whose log grew since its last
// head, and returns how many heads it signed.
func (s *Service) CheckpointOpen(ctx context.Context) (int, error) {
	open, err := models.OpenVotes(ctx, s.db)
	if err != nil {
		return 0, app.Internal(err)
	}
	n := 0
	var errs []error
	for _, v := range open {
		before, _, err := s.lastHead(ctx, v.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		h, err := s.checkpoint(ctx, v.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("vote %d: %w", v.ID, err))
			continue
		}
		if h.Size != before.Size || before.Signature == "" {
			n++
		}
	}
	return n, errors.Join(errs...)
}

func (s *Service) lastHead(ctx context.Context, voteID int64) (ballotlog.Head, bool, error) {
	c, err := s.sqlConn()
	if err != nil {
		return ballotlog.Head{}, false, err
	}
	return ballotlog.LastHead(ctx, c, voteID)
}

// RunCheckpointer signs checkpoints of the open votes every interval until ctx ends.
func (s *Service) RunCheckpointer(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.CheckpointOpen(ctx); err != nil {
				log.Error("signing ballot log checkpoints", "error", err)
			} else if n > 0 {
				log.Info("ballot log checkpoints signed", "count", n)
			}
		}
	}
}

// LogHeads lists the signed heads of a vote's log (public once the vote has any:
// every receipt holder is shown one).
func (s *Service) LogHeads(ctx context.Context, voteID int64) ([]ballotlog.Head, error) {
	c, err := s.sqlConn()
	if err != nil {
		return nil, app.Internal(err)
	}
	hs, err := ballotlog.Heads(ctx, c, voteID)
	if err != nil {
		return nil, app.Internal(err)
	}
	if len(hs) == 0 {
		return nil, ErrVoteNotFound()
	}
	return hs, nil
}

// Consistency proves that the vote's head of size from is a prefix of its head of
// size to (both must be signed heads of the vote; 404 otherwise).
func (s *Service) Consistency(ctx context.Context, voteID int64, from, to uint64) (ballotlog.Head, ballotlog.Head, []string, error) {
	hs, err := s.LogHeads(ctx, voteID)
	if err != nil {
		return ballotlog.Head{}, ballotlog.Head{}, nil, err
	}
	var h1, h2 *ballotlog.Head
	for i := range hs {
		if hs[i].Size == from && h1 == nil {
			h1 = &hs[i]
		}
		if hs[i].Size == to {
			h2 = &hs[i]
		}
	}
	if h1 == nil {
		return ballotlog.Head{}, ballotlog.Head{}, nil, app.Invalid("from", app.M("err.voting.not_the_size_of_a_signed_head_of_this_vote"))
	}
	if h2 == nil {
		return ballotlog.Head{}, ballotlog.Head{}, nil, app.Invalid("to", app.M("err.voting.not_the_size_of_a_signed_head_of_this_vote"))
	}
	if from > to {
		return ballotlog.Head{}, ballotlog.Head{}, nil, app.Invalid("from", app.M("err.voting.must_not_exceed_to"))
	}
	hashes, err := s.leafHashes(ctx, voteID, to)
	if err != nil {
		return ballotlog.Head{}, ballotlog.Head{}, nil, app.Internal(err)
	}
	pr, err := ballotlog.ConsistencyProof(hashes, from, to)
	if err != nil {
		return ballotlog.Head{}, ballotlog.Head{}, nil, app.Internal(err)
	}
	return *h1, *h2, ballotlog.HexHashes(pr), nil
}

// PublicBundle is the public bundle of a published vote (anyone; 404 before the
// publication, as for a vote that does not exist): leaf hashes, never leaf bytes.
func (s *Service) PublicBundle(ctx context.Context, voteID int64) (*ballotlog.Bundle, error) {
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && v.PublishedAt == nil) {
		return nil, ErrVoteNotFound()
	}
	if err != nil {
		return nil, app.Internal(err)
	}
	return s.bundle(ctx, v, ballotlog.BundlePublic)
}

// AuditorBundle is the auditors' bundle of a counted vote in the principal's
// jurisdiction (every staff role reads, auditors included): the public bundle plus
// the rooms and channel behind each receipt.
func (s *Service) AuditorBundle(ctx context.Context, p app.Principal, voteID int64) (*ballotlog.Bundle, error) {
	// Rooms beside receipts and choices: for the auditor's workspace roles only.
	if err := access.Require(p, access.AuditVotes); err != nil {
		return nil, err
	}
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	if v.TallyJSON == nil {
		return nil, app.Fail(app.EConflict, "err.voting.the_vote_has_not_been_counted_yet")
	}
	return s.bundle(ctx, v, ballotlog.BundleAuditor)
}

// bundle assembles a counted vote's bundle.
func (s *Service) bundle(ctx context.Context, v models.Vote, kind string) (*ballotlog.Bundle, error) {
	if v.TallyJSON == nil {
		return nil, ErrVoteNotFound()
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return nil, app.Internal(err)
	}
	spec, err := s.voteSpec(ctx, s.db, v, ag)
	if err != nil {
		return nil, app.Internal(err)
	}
	c, err := s.sqlConn()
	if err != nil {
		return nil, app.Internal(err)
	}
	leaves, err := ballotlog.Leaves(ctx, c, v.ID, 0)
	if err != nil {
		return nil, app.Internal(err)
	}
	heads, err := ballotlog.Heads(ctx, c, v.ID)
	if err != nil {
		return nil, app.Internal(err)
	}
	b := &ballotlog.Bundle{Format: ballotlog.BundleFormat, Kind: kind, GeneratedAt: s.now(), Vote: spec,
		Leaves: make([]ballotlog.BundleLeaf, len(leaves)), Heads: heads,
		Results: json.RawMessage(*v.TallyJSON), ResultsSHA256: v.TallySHA256}
	if sum := sha256.Sum256([]byte(*v.TallyJSON)); hex.EncodeToString(sum[:]) != v.TallySHA256 {
		s.log.Error("stored tally does not match its SHA-256", "vote_id", v.ID)
	}
	if s.blog.signer != nil {
		b.PublicKey, b.KeyID = s.blog.signer.PublicBase64(), s.blog.signer.KeyID()
	}
	for i, l := range leaves {
		b.Leaves[i] = ballotlog.BundleLeaf{Seq: l.Seq, LeafHash: hex.EncodeToString(l.Hash)}
		if kind == ballotlog.BundleAuditor {
			// The public bundle never carries a leaf's bytes: area beside choices would
			// tell how the owner of a unit of unusual area voted (docs/bundle.md).
			b.Leaves[i].Leaf = l.Leaf
		}
	}
	var doc struct {
		SHA256    string
		DocNumber string
	}
	if err := s.db.WithContext(ctx).Raw("SELECT sha256, doc_number FROM documents WHERE vote_id = ? AND kind = ? AND status = ? ORDER BY version DESC LIMIT 1",
		v.ID, models.DocResolution, models.DocInForce).Scan(&doc).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("resolution of vote %d: %w", v.ID, err))
	}
	b.ResolutionPDFSHA256, b.ResolutionNumber = doc.SHA256, doc.DocNumber
	if kind == ballotlog.BundleAuditor {
		var rows []struct {
			Receipt string
			Channel string
			CastAt  time.Time
			Rooms   string
		}
		if err := s.db.WithContext(ctx).Raw(`SELECT b.receipt, b.channel, b.cast_at, vv.rooms FROM ballots b
			JOIN vote_voters vv ON vv.id = b.voter_id WHERE b.vote_id = ? ORDER BY b.id`, v.ID).Scan(&rows).Error; err != nil {
			return nil, app.Internal(fmt.Errorf("rooms of vote %d: %w", v.ID, err))
		}
		b.Rooms = make([]ballotlog.BallotRooms, len(rows))
		for i, r := range rows {
			b.Rooms[i] = ballotlog.BallotRooms{Receipt: r.Receipt, Channel: r.Channel, Rooms: splitRooms(r.Rooms), CastAt: r.CastAt.UTC()}
		}
	}
	return b, nil
}

// voteSpec is what the verifier's recount needs of the vote, as count builds it.
func (s *Service) voteSpec(ctx context.Context, db *gorm.DB, v models.Vote, ag *agenda) (ballotlog.VoteSpec, error) {
	var households int64
	if err := db.WithContext(ctx).Model(&models.VoteVoterUnit{}).Where("vote_id = ?", v.ID).Count(&households).Error; err != nil {
		return ballotlog.VoteSpec{}, fmt.Errorf("counting units of vote %d: %w", v.ID, err)
	}
	prof := profileOf(v)
	spec := ballotlog.VoteSpec{VoteID: v.ID, Title: v.Title, LegalProfile: v.LegalProfile, TotalArea: v.TotalArea,
		TotalHeadcount: v.TotalHeadcount, FollowMajority: v.FollowMajority, ClosedAt: v.ClosedAt,
		Items: []ballotlog.ItemSpec{}, Elections: []ballotlog.ElectionSpec{}}
	for _, it := range ag.items {
		if !it.IsElection() {
			spec.Items = append(spec.Items, ballotlog.ItemSpec{Key: it.Key, Matter: string(it.Matter)})
			continue
		}
		e := ballotlog.ElectionSpec{Key: it.Key, Seats: it.Seats, Alternates: it.Alternates, MinMembers: minMembers(prof, v, households)}
		if it.ByElection {
			e.MinMembers = 0
		}
		for _, c := range it.Candidates {
			e.Candidates = append(e.Candidates, c.Key)
		}
		spec.Elections = append(spec.Elections, e)
	}
	return spec, nil
}

// closingHead is the vote's signed closing head (nil: none, a vote closed before the
// log existed or without a key).
func (s *Service) closingHead(ctx context.Context, voteID int64) (*ballotlog.Head, error) {
	hs, err := s.LogHeads(ctx, voteID)
	if app.ErrorCode(err) == app.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i := range hs {
		if hs[i].Kind == ballotlog.HeadClose {
			return &hs[i], nil
		}
	}
	return nil, nil
}
