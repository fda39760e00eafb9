package auditview

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/database"
	"gongzhi/models"
)

// SampleDomain is the first part of every block of the sampling stream.
const SampleDomain = "gongzhi-paper-audit-v1"

// Stream is the documented pseudo-random stream a paper-audit sample is drawn with
// (docs/audit.md): block i (i = 0, 1, 2, ...) is SHA-256(SampleDomain || 0x00 ||
// seed || i as 8 bytes big-endian), and each block gives one number, its first 8
// bytes read big-endian. Anyone holding the seed can redraw the sample with any
// SHA-256 implementation.
type Stream struct {
	seed string
	i    uint64
}

// NewStream starts the stream of a seed.
func NewStream(seed string) *Stream { return &Stream{seed: seed} }

// Uint64 is the next number of the stream.
func (s *Stream) Uint64() uint64 {
	h := sha256.New()
	h.Write([]byte(SampleDomain))
	h.Write([]byte{0})
	h.Write([]byte(s.seed))
	h.Write(binary.BigEndian.AppendUint64(nil, s.i))
	s.i++
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// Below is a uniform number in [0, n): numbers of the stream at or above the
// largest multiple of n that fits in 64 bits are skipped, the next one is taken
// modulo n.
func (s *Stream) Below(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	rem := (math.MaxUint64%n + 1) % n // 2^64 mod n
	for {
		x := s.Uint64()
		if rem == 0 || x <= math.MaxUint64-rem {
			return x % n
		}
	}
}

// Sample draws k of the population (in the order given) by a partial Fisher–Yates
// shuffle over the stream of seed: for i = 0 .. k-1, j = i + Below(n-i), swap
// positions i and j; the sample is positions 0 .. k-1 in that order.
func Sample(population []int64, k int, seed string) []int64 {
	a := append([]int64(nil), population...)
	if k > len(a) {
		k = len(a)
	}
	st := NewStream(seed)
	for i := 0; i < k; i++ {
		j := i + int(st.Below(uint64(len(a)-i)))
		a[i], a[j] = a[j], a[i]
	}
	return a[:k]
}

// Rate is a discrepancy rate, exact: Discrepancies of Checked, with the percentage
// rounded half up to hundredths.
type Rate struct {
	Checked       int    `json:"checked"`
	Discrepancies int    `json:"discrepancies"`
	Pending       int    `json:"pending"`
	Fraction      string `json:"fraction"` // "d/n"
	Percent       string `json:"percent"`  // "12.50%"; "" when nothing is checked
}

// RateOf computes the rate.
func RateOf(checked, discrepancies, pending int) Rate {
	r := Rate{Checked: checked, Discrepancies: discrepancies, Pending: pending, Fraction: fmt.Sprintf("%d/%d", discrepancies, checked)}
	if checked > 0 {
		bp := (int64(discrepancies)*20000 + int64(checked)) / (2 * int64(checked)) // hundredths of a percent
		r.Percent = fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
	}
	return r
}

// PaperAuditInfo is a paper audit as the overview lists it.
type PaperAuditInfo struct {
	ID         int64     `json:"id"`
	Seed       string    `json:"seed"`
	Anchor     string    `json:"anchor,omitempty"` // the ballot log root the seed was derived from
	Nonce      string    `json:"nonce,omitempty"`  // the server random the seed was derived from
	Population int       `json:"population"`
	SampleSize int       `json:"sample_size"`
	DrawnBy    string    `json:"drawn_by"`
	DrawnAt    time.Time `json:"drawn_at"`
	Rate       Rate      `json:"rate"`
}

// SampleItem is one sampled ballot with its check.
type SampleItem struct {
	ID        int64      `json:"id"`
	Position  int        `json:"position"`
	Outcome   string     `json:"outcome"`
	Note      string     `json:"note"`
	CheckedBy string     `json:"checked_by,omitempty"`
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	Ballot    Ballot     `json:"ballot"`
}

// PaperAudit is one paper audit with its sampled ballots, scans beside choices.
type PaperAudit struct {
	Vote  VoteHead       `json:"vote"`
	Info  PaperAuditInfo `json:"audit"`
	Items []SampleItem   `json:"items"`
}

// population is the vote's live paper and proxy ballots in id order.
func population(ctx context.Context, db *gorm.DB, voteID int64) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT b.id FROM ballots b WHERE b.vote_id = ? AND b.channel IN (?, ?)
		AND NOT EXISTS (SELECT 1 FROM ballot_voids v WHERE v.ballot_id = b.id) ORDER BY b.id`,
		voteID, models.ChannelPaper, models.ChannelProxy).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("paper ballots: %w", err)
	}
	return ids, nil
}

func (s *Service) paperPopulationCount(ctx context.Context, voteID int64) (int, error) {
	ids, err := population(ctx, s.db, voteID)
	return len(ids), err
}

// SeedDomain is the first line of the bytes a sample's seed is the SHA-256 of.
const SeedDomain = "gongzhi-paper-audit-seed/1"

// DeriveSeed is a sample's seed (docs/audit.md): the hex SHA-256 of
//
//	gongzhi-paper-audit-seed/1\nvote=<id>\nanchor=<root hex>\nnonce=<nonce hex>\n
//
// where anchor is the vote's ballot log root at the draw (after the close, the
// closing head's root) and nonce 32 random bytes the server draws with the sample.
// Nothing in it is chosen by whoever asks for the sample, who has seen the ballots;
// anyone holding the two recorded values can recompute the seed and redraw.
func DeriveSeed(voteID int64, anchor, nonce string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\nvote=%d\nanchor=%s\nnonce=%s\n", SeedDomain, voteID, anchor, nonce)))
	return hex.EncodeToString(sum[:])
}

// logAnchor is the vote's ballot log root now, read in the draw's transaction.
func logAnchor(ctx context.Context, tx *gorm.DB, voteID int64) (string, error) {
	st, err := ballotlog.ReadState(ctx, tx.Statement.ConnPool, voteID)
	if err != nil {
		return "", err
	}
	root, err := st.Root()
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(root), nil
}

// DrawSample draws size of the vote's live paper and proxy ballots, records the
// draw and its items, and audits it. The seed is derived (DeriveSeed) from the
// ballot log's root and a server random drawn in the same transaction and recorded
// with the draw; a seed typed by the requester, who has seen the ballots and could
// try seeds until one avoids a ballot, is refused.
func (s *Service) DrawSample(ctx context.Context, p app.Principal, voteID int64, size int, seed string) (PaperAuditInfo, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return PaperAuditInfo{}, err
	}
	if strings.TrimSpace(seed) != "" {
		return PaperAuditInfo{}, app.Invalid("seed", app.M("err.auditview.the_seed_is_derived_by_the_server_from_the"))
	}
	if size < 1 {
		return PaperAuditInfo{}, app.Invalid("size", app.M("err.auditview.must_be_a_positive_whole_number"))
	}
	var out PaperAuditInfo
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		pop, err := population(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if len(pop) == 0 {
			return app.Fail(app.EConflict, "err.auditview.this_vote_has_no_paper_ballots_to_sample")
		}
		if size > len(pop) {
			return app.Invalid("size", app.M("err.auditview.at_most_the_paper_ballots", len(pop)))
		}
		anchor, err := logAnchor(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		nb := make([]byte, 32)
		if _, err := rand.Read(nb); err != nil {
			return fmt.Errorf("sample nonce: %w", err)
		}
		nonce := hex.EncodeToString(nb)
		seed := DeriveSeed(v.ID, anchor, nonce)
		now := s.clock.Now().UTC()
		pa := models.PaperAudit{VoteID: v.ID, Seed: seed, Anchor: anchor, Nonce: nonce, Population: len(pop), SampleSize: size, DrawnByName: p.Username, DrawnAt: now}
		if p.UserID != 0 {
			uid := p.UserID
			pa.DrawnBy = &uid
		}
		if err := tx.Create(&pa).Error; err != nil {
			return fmt.Errorf("paper audit: %w", err)
		}
		sample := Sample(pop, size, seed)
		items := make([]models.PaperAuditItem, 0, len(sample))
		for i, id := range sample {
			items = append(items, models.PaperAuditItem{PaperAuditID: pa.ID, VoteID: v.ID, BallotID: id, Position: i + 1})
		}
		if err := tx.Create(&items).Error; err != nil {
			return fmt.Errorf("paper audit items: %w", err)
		}
		out = PaperAuditInfo{ID: pa.ID, Seed: seed, Anchor: anchor, Nonce: nonce, Population: len(pop), SampleSize: size, DrawnBy: p.Username, DrawnAt: now,
			Rate: RateOf(0, 0, size)}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "paper_audit.draw", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"paper_audit_id": pa.ID, "seed": seed, "anchor": anchor, "nonce": nonce, "population": len(pop), "sample_size": size, "ballot_ids": sample}})
	})
	if err != nil {
		return PaperAuditInfo{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// Check is the outcome of comparing one sampled scan with the entered choices.
type Check struct {
	Outcome string // models.PaperAuditMatch or models.PaperAuditDiscrepancy
	Note    string // required for a discrepancy: what differs
}

// RecordCheck records, once, the outcome of one sampled ballot, and audits it.
func (s *Service) RecordCheck(ctx context.Context, p app.Principal, voteID, auditID, itemID int64, in Check) (SampleItem, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return SampleItem{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	switch in.Outcome {
	case models.PaperAuditMatch, models.PaperAuditDiscrepancy:
	default:
		return SampleItem{}, app.Invalid("outcome", app.M("err.auditview.must_be_match_or_discrepancy"))
	}
	if in.Outcome == models.PaperAuditDiscrepancy && in.Note == "" {
		return SampleItem{}, app.Invalid("note", app.M("err.auditview.say_what_differs"))
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		return SampleItem{}, app.Invalid("note", app.M("err.auditview.at_most_500_characters"))
	}
	var out SampleItem
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var it models.PaperAuditItem
		if err := tx.Where("id = ? AND paper_audit_id = ? AND vote_id = ?", itemID, auditID, v.ID).Take(&it).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Fail(app.ENotFound, "err.auditview.no_such_sampled_ballot")
			}
			return fmt.Errorf("paper audit item: %w", err)
		}
		now := s.clock.Now().UTC()
		var by any
		if p.UserID != 0 {
			by = p.UserID
		}
		res := tx.Model(&models.PaperAuditItem{}).Where("id = ? AND outcome = ''", it.ID).
			Updates(map[string]any{"outcome": in.Outcome, "note": in.Note, "checked_by": by, "checked_by_name": p.Username, "checked_at": now})
		if res.Error != nil {
			return fmt.Errorf("recording the check: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return app.Fail(app.EConflict, "err.auditview.this_ballot_has_been_checked_already")
		}
		out = SampleItem{ID: it.ID, Position: it.Position, Outcome: in.Outcome, Note: in.Note, CheckedBy: p.Username, CheckedAt: &now}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "paper_audit.check", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"paper_audit_id": auditID, "item_id": it.ID, "ballot_id": it.BallotID, "outcome": in.Outcome, "note": in.Note}})
	})
	if err != nil {
		return SampleItem{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// paperAudits lists the vote's paper audits, newest first, with their rates.
func (s *Service) paperAudits(ctx context.Context, voteID int64) ([]PaperAuditInfo, error) {
	var list []models.PaperAudit
	if err := s.db.WithContext(ctx).Where("vote_id = ?", voteID).Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("paper audits: %w", err)
	}
	out := make([]PaperAuditInfo, 0, len(list))
	for _, pa := range list {
		r, err := s.rateOf(ctx, pa.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, PaperAuditInfo{ID: pa.ID, Seed: pa.Seed, Anchor: pa.Anchor, Nonce: pa.Nonce, Population: pa.Population, SampleSize: pa.SampleSize,
			DrawnBy: pa.DrawnByName, DrawnAt: pa.DrawnAt, Rate: r})
	}
	return out, nil
}

func (s *Service) rateOf(ctx context.Context, auditID int64) (Rate, error) {
	var rows []struct {
		Outcome string
		N       int
	}
	if err := s.db.WithContext(ctx).Raw("SELECT outcome, COUNT(*) AS n FROM paper_audit_items WHERE paper_audit_id = ? GROUP BY outcome", auditID).
		Scan(&rows).Error; err != nil {
		return Rate{}, fmt.Errorf("paper audit rate: %w", err)
	}
	var match, disc, pending int
	for _, r := range rows {
		switch r.Outcome {
		case models.PaperAuditMatch:
			match = r.N
		case models.PaperAuditDiscrepancy:
			disc = r.N
		default:
			pending = r.N
		}
	}
	return RateOf(match+disc, disc, pending), nil
}

// PaperAudit reads one paper audit with its sampled ballots, each with its entered
// choices and its scans.
func (s *Service) PaperAudit(ctx context.Context, p app.Principal, voteID, auditID int64) (PaperAudit, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return PaperAudit{}, err
	}
	var pa models.PaperAudit
	if err := s.db.WithContext(ctx).Where("id = ? AND vote_id = ?", auditID, v.ID).Take(&pa).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return PaperAudit{}, app.Fail(app.ENotFound, "err.auditview.no_such_paper_audit")
		}
		return PaperAudit{}, app.Internal(err)
	}
	r, err := s.rateOf(ctx, pa.ID)
	if err != nil {
		return PaperAudit{}, app.Internal(err)
	}
	out := PaperAudit{Vote: headOf(v, e), Info: PaperAuditInfo{ID: pa.ID, Seed: pa.Seed, Anchor: pa.Anchor, Nonce: pa.Nonce, Population: pa.Population,
		SampleSize: pa.SampleSize, DrawnBy: pa.DrawnByName, DrawnAt: pa.DrawnAt, Rate: r}, Items: []SampleItem{}}
	var items []models.PaperAuditItem
	if err := s.db.WithContext(ctx).Where("paper_audit_id = ?", pa.ID).Order("position").Find(&items).Error; err != nil {
		return PaperAudit{}, app.Internal(err)
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.BallotID)
	}
	var rows []models.Ballot
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return PaperAudit{}, app.Internal(err)
	}
	described, err := s.describe(ctx, rows)
	if err != nil {
		return PaperAudit{}, app.Internal(err)
	}
	byID := map[int64]Ballot{}
	for _, b := range described {
		byID[b.ID] = b
	}
	for _, it := range items {
		out.Items = append(out.Items, SampleItem{ID: it.ID, Position: it.Position, Outcome: it.Outcome, Note: it.Note,
			CheckedBy: it.CheckedByName, CheckedAt: it.CheckedAt, Ballot: byID[it.BallotID]})
	}
	return out, nil
}

// Recount is a recount run from the workspace and kept.
type Recount struct {
	ID            int64           `json:"id"`
	Matches       bool            `json:"matches"`
	StoredSHA256  string          `json:"stored_sha256"`
	RecountSHA256 string          `json:"recount_sha256"`
	RunBy         string          `json:"run_by"`
	RunAt         time.Time       `json:"run_at"`
	Result        json.RawMessage `json:"result"`
}

// maxRecounts bounds the recounts listed on the overview (newest first).
const maxRecounts = 20

func (s *Service) recounts(ctx context.Context, voteID int64) ([]Recount, error) {
	var list []models.AuditRecount
	if err := s.db.WithContext(ctx).Where("vote_id = ?", voteID).Order("id DESC").Limit(maxRecounts).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("recounts: %w", err)
	}
	out := make([]Recount, 0, len(list))
	for _, r := range list {
		out = append(out, recountOf(r))
	}
	return out, nil
}

func recountOf(r models.AuditRecount) Recount {
	return Recount{ID: r.ID, Matches: r.Matches, StoredSHA256: r.StoredSHA256, RecountSHA256: r.RecountSHA256,
		RunBy: r.RunByName, RunAt: r.RunAt, Result: json.RawMessage(r.ResultJSON)}
}

// RunRecount recounts the closed vote from its ballots (voting.Service.Recount),
// keeps the result with whether it equals the stored tally, and audits it.
func (s *Service) RunRecount(ctx context.Context, p app.Principal, voteID int64) (Recount, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Recount{}, err
	}
	doc, matches, err := s.votes.Recount(ctx, p, v.ID)
	if err != nil {
		return Recount{}, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return Recount{}, app.Internal(err)
	}
	sum := sha256.Sum256(b)
	row := models.AuditRecount{VoteID: v.ID, Matches: matches, StoredSHA256: v.TallySHA256, RecountSHA256: hex.EncodeToString(sum[:]),
		ResultJSON: string(b), RunByName: p.Username, RunAt: s.clock.Now().UTC()}
	if p.UserID != 0 {
		uid := p.UserID
		row.RunBy = &uid
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row.ID = 0
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("keeping the recount: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.recount", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"recount_id": row.ID, "matches": matches, "recount_sha256": row.RecountSHA256}})
	})
	if err != nil {
		return Recount{}, app.AsErrorOrNil(err)
	}
	return recountOf(row), nil
}
