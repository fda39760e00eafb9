package voting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// MaxScanBytes is the largest scanned ballot accepted (an A4 page at 300 dpi as JPEG
// or PDF fits comfortably).
const MaxScanBytes = 8 << 20

// ProxyInput identifies the proxy who cast a ballot on the owner's written
// authorisation (SH 18): name, ID number (stored only hashed and masked) and a
// reference to the written authorisation (e.g. its number in the paper file).
type ProxyInput struct {
	Name          string
	IDNumber      string
	Authorisation string
}

// ScanInput is the scanned original of a paper or proxy ballot.
type ScanInput struct {
	Filename string
	Data     []byte
}

// PaperBallot is a paper or proxy ballot entered by staff, found by one room of the
// voter; with Proxy set it is a proxy ballot.
type PaperBallot struct {
	Room    string
	Choices Choices
	Proxy   *ProxyInput
	Scan    *ScanInput
	Note    string
}

// checkedScan is a validated scan with its detected type and digest.
type checkedScan struct {
	filename    string
	contentType string
	data        []byte
	sha256      string
}

// checkScan accepts a JPEG, PNG or PDF of at most MaxScanBytes.
func checkScan(field string, in *ScanInput) (checkedScan, error) {
	if len(in.Data) == 0 {
		return checkedScan{}, app.Invalid(field+".data", app.M("err.voting.the_scan_is_empty"))
	}
	if len(in.Data) > MaxScanBytes {
		return checkedScan{}, app.Invalid(field+".data", app.M("err.voting.at_most_mb", MaxScanBytes>>20))
	}
	ct := http.DetectContentType(in.Data)
	switch ct {
	case "image/jpeg", "image/png", "application/pdf":
	default:
		return checkedScan{}, app.Invalid(field+".data", app.M("err.voting.the_scan_must_be_a_jpeg_png_or_pdf"))
	}
	name := filepath.Base(strings.TrimSpace(strings.ReplaceAll(in.Filename, `\`, "/")))
	if name == "." || name == "/" || name == "" {
		name = "scan"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	sum := sha256.Sum256(in.Data)
	return checkedScan{filename: name, contentType: ct, data: in.Data, sha256: hex.EncodeToString(sum[:])}, nil
}

// storeScan writes a scan of a ballot through tx.
func storeScan(ctx context.Context, tx *gorm.DB, p app.Principal, voteID, ballotID int64, sc checkedScan, now time.Time) (models.BallotScan, error) {
	row := models.BallotScan{BallotID: ballotID, VoteID: voteID, Filename: sc.filename, ContentType: sc.contentType,
		SizeBytes: int64(len(sc.data)), SHA256: sc.sha256, Data: sc.data, UploadedByName: p.Username, CreatedAt: now}
	if p.UserID != 0 {
		uid := p.UserID
		row.UploadedBy = &uid
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return row, fmt.Errorf("storing scan: %w", err)
	}
	return row, nil
}

// voterByRoom finds the frozen voter holding a room of the vote.
func voterByRoom(ctx context.Context, tx *gorm.DB, voteID int64, room string) (models.VoteVoter, error) {
	var voter models.VoteVoter
	res := tx.WithContext(ctx).Raw(`SELECT vv.* FROM vote_voter_units u JOIN vote_voters vv ON vv.id = u.voter_id
		WHERE u.vote_id = ? AND u.room_key = ?`, voteID, room).Scan(&voter)
	if res.Error != nil {
		return voter, fmt.Errorf("room %s: %w", room, res.Error)
	}
	if res.RowsAffected == 0 {
		return voter, app.Invalid("room", app.M("err.voting.room_is_not_in_this_vote_s_register", room))
	}
	return voter, nil
}

// CastPaper enters a paper ballot, or with in.Proxy a proxy ballot, for the voter
// holding in.Room, recording who entered it and when, with an optional scan of the
// original. It goes through the same one-ballot-per-voter rule as online ballots
// (409 when the voter already voted by any channel); outside the voting period it is
// 410. A proxy may represent at most the profile's number of principals (409 beyond).
func (s *Service) CastPaper(ctx context.Context, p app.Principal, voteID int64, in PaperBallot) (Receipt, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Receipt{}, err
	}
	var d details
	room := strings.TrimSpace(in.Room)
	if room == "" {
		d.add("room", app.M("err.voting.required"))
	}
	channel := models.ChannelPaper
	var proxyName, proxyHash, proxyMasked, proxyAuth string
	if in.Proxy != nil {
		channel = models.ChannelProxy
		proxyName = textField(&d, "proxy.name", in.Proxy.Name, maxNameRunes)
		id := pii.NormalizeID(in.Proxy.IDNumber)
		if !pii.ValidResidentID(id) {
			d.add("proxy.id_number", app.M("err.voting.must_be_a_valid_18_character_resident_id_number"))
		}
		proxyHash, proxyMasked = s.pii.HashID(id), pii.MaskID(id)
		proxyAuth = textField(&d, "proxy.authorisation", in.Proxy.Authorisation, maxTitleRunes)
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 500 {
		d.add("note", app.M("err.voting.at_most_500_characters"))
	}
	if err := d.err(); err != nil {
		return Receipt{}, err
	}
	var scan *checkedScan
	if in.Scan != nil {
		sc, err := checkScan("scan", in.Scan)
		if err != nil {
			return Receipt{}, err
		}
		scan = &sc
	}
	maxPrincipals := profileOf(v).ProxyMaxPrincipals
	var out Receipt
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now()
		lv, err := s.lockVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if err := acceptingBallots(lv, now); err != nil {
			return err
		}
		voter, err := voterByRoom(ctx, tx, v.ID, room)
		if err != nil {
			return err
		}
		ag, err := s.agendaOf(ctx, tx, lv)
		if err != nil {
			return err
		}
		canonical, err := ag.canonical(in.Choices)
		if err != nil {
			return err
		}
		b, err := s.insertBallot(ctx, tx, newBallot{voteID: v.ID, voterID: voter.ID, voterKey: voter.VoterKey,
			channel: channel, choices: canonical, castAt: now, area: voter.Area,
			decorate: func(b *models.Ballot) {
				if p.UserID != 0 {
					uid := p.UserID
					b.EnteredBy = &uid
				}
				b.EnteredByName = p.Username
				b.ProxyName, b.ProxyIDHash, b.ProxyIDMasked, b.ProxyAuthorisation = proxyName, proxyHash, proxyMasked, proxyAuth
				b.Note = note
			},
			duplicate: duplicateOf(ctx, tx, v.ID, voter.ID)})
		if err != nil {
			return err
		}
		if channel == models.ChannelProxy {
			if err := takeProxySlot(ctx, tx, v.ID, proxyHash, proxyName, voter.ID, b.ID, maxPrincipals, now); err != nil {
				return err
			}
		}
		detail := map[string]any{"ballot_id": b.ID, "room": room, "voter_id": voter.ID, "channel": channel}
		if scan != nil {
			row, err := storeScan(ctx, tx, p, v.ID, b.ID, *scan, now)
			if err != nil {
				return err
			}
			detail["scan_id"], detail["scan_sha256"] = row.ID, row.SHA256
		}
		if channel == models.ChannelProxy {
			detail["proxy_id"] = proxyMasked
			detail["authorisation"] = proxyAuth
		}
		out = Receipt{Code: b.Receipt, BallotID: b.ID, VoteID: v.ID, Channel: channel, CastAt: now}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "ballot." + channel, TargetType: "vote", TargetID: v.ID, EstateID: e.ID, Detail: detail})
	})
	if err != nil {
		return Receipt{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// takeProxySlot gives the principal a numbered slot of the proxy. A principal keeps
// its slot (a re-entry after a void needs no new one); a proxy holding the profile's
// maximum of principals gets 409. The UNIQUE keys settle concurrent entries.
func takeProxySlot(ctx context.Context, tx *gorm.DB, voteID int64, proxyHash, proxyName string, voterID, ballotID int64, maxPrincipals int, now time.Time) error {
	var slots []models.ProxySlot
	if err := tx.WithContext(ctx).Where("vote_id = ? AND proxy_id_hash = ?", voteID, proxyHash).Order("slot").Find(&slots).Error; err != nil {
		return fmt.Errorf("proxy slots: %w", err)
	}
	top := 0
	for _, sl := range slots {
		if sl.VoterID == voterID {
			return nil
		}
		top = max(top, sl.Slot)
	}
	if len(slots) >= maxPrincipals {
		return &app.Error{Code: app.EConflict,
			Msg:     app.M("err.voting.this_proxy_already_represents_owners_the_limit", proxyName, len(slots)),
			Details: []app.Detail{{Field: "proxy.id_number", Msg: app.M("err.voting.at_most_principals", maxPrincipals)}}}
	}
	slot := models.ProxySlot{VoteID: voteID, ProxyIDHash: proxyHash, Slot: top + 1, VoterID: voterID, BallotID: ballotID, CreatedAt: now}
	if err := tx.WithContext(ctx).Create(&slot).Error; err != nil {
		if database.IsDuplicate(err) {
			return app.Fail(app.EConflict, "err.voting.another_ballot_of_this_proxy_is_being_entered")
		}
		return fmt.Errorf("taking proxy slot: %w", err)
	}
	return nil
}

// VoterMatch is a frozen voter found by room or owner name, for entering a paper
// ballot: masked owner names, and the live ballot if the voter already voted.
type VoterMatch struct {
	VoterID   int64
	Rooms     []string
	Area      rules.Area
	Owners    []string
	Developer bool
	Voted     *BallotMark
}

// SearchVoters finds voters of an opened vote whose room starts with query or whose
// owners' names contain it (at most limit, default 20), in register order.
func (s *Service) SearchVoters(ctx context.Context, p app.Principal, voteID int64, query string, limit int) ([]VoterMatch, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	if v.State == models.VoteDraft {
		return nil, app.Fail(app.EConflict, "err.voting.the_vote_is_not_open_no_register_yet")
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return []VoterMatch{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	like := strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(query)
	var voters []models.VoteVoter
	err = s.db.WithContext(ctx).Raw(`SELECT * FROM vote_voters WHERE vote_id = ? AND (
			id IN (SELECT voter_id FROM vote_voter_units WHERE vote_id = ? AND room_key LIKE ? ESCAPE '!')
			OR owner_names LIKE ? ESCAPE '!')
		ORDER BY position LIMIT ?`, v.ID, v.ID, like+"%", "%"+like+"%", limit).Scan(&voters).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("searching voters: %w", err))
	}
	ids := make([]int64, len(voters))
	for i, vv := range voters {
		ids[i] = vv.ID
	}
	live, err := liveBallotsOf(ctx, s.db, v.ID, ids)
	if err != nil {
		return nil, app.Internal(err)
	}
	out := make([]VoterMatch, 0, len(voters))
	for _, vv := range voters {
		m := VoterMatch{VoterID: vv.ID, Rooms: splitRooms(vv.Rooms), Area: rules.Area(vv.Area), Owners: maskedNames(vv.OwnerNames), Developer: vv.Developer}
		if b, ok := live[vv.ID]; ok {
			m.Voted = &b
		}
		out = append(out, m)
	}
	return out, nil
}

// ScanInfo describes a stored scan without its bytes.
type ScanInfo struct {
	ID          int64
	BallotID    int64
	Filename    string
	ContentType string
	SizeBytes   int64
	SHA256      string
	UploadedBy  string
	CreatedAt   time.Time
}

// AttachScan adds the scanned original to a paper or proxy ballot (also after the
// vote closed: it is evidence, not a change of the ballot). Audited.
func (s *Service) AttachScan(ctx context.Context, p app.Principal, voteID, ballotID int64, in ScanInput) (ScanInfo, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return ScanInfo{}, err
	}
	sc, err := checkScan("scan", &in)
	if err != nil {
		return ScanInfo{}, err
	}
	var row models.BallotScan
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var b models.Ballot
		if err := tx.Where("id = ? AND vote_id = ?", ballotID, v.ID).Take(&b).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Fail(app.ENotFound, "err.voting.ballot_not_found")
			}
			return fmt.Errorf("ballot %d: %w", ballotID, err)
		}
		if b.Channel == models.ChannelOnline {
			return app.Fail(app.EConflict, "err.voting.an_online_ballot_has_no_paper_original")
		}
		row, err = storeScan(ctx, tx, p, v.ID, b.ID, sc, s.now())
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "ballot.scan", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"ballot_id": b.ID, "scan_id": row.ID, "sha256": row.SHA256, "size": row.SizeBytes}})
	})
	if err != nil {
		return ScanInfo{}, app.AsErrorOrNil(err)
	}
	return scanInfo(row), nil
}

func scanInfo(r models.BallotScan) ScanInfo {
	return ScanInfo{ID: r.ID, BallotID: r.BallotID, Filename: r.Filename, ContentType: r.ContentType, SizeBytes: r.SizeBytes,
		SHA256: r.SHA256, UploadedBy: r.UploadedByName, CreatedAt: r.CreatedAt}
}

// ScanFile is a stored scan with its bytes, for download.
type ScanFile struct {
	ScanInfo
	Data []byte
}

// Scan returns one stored scan of a vote (staff and auditors of the estate).
func (s *Service) Scan(ctx context.Context, p app.Principal, voteID, scanID int64) (ScanFile, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return ScanFile{}, err
	}
	var row models.BallotScan
	if err := s.db.WithContext(ctx).Where("id = ? AND vote_id = ?", scanID, v.ID).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ScanFile{}, app.Fail(app.ENotFound, "err.voting.scan_not_found")
		}
		return ScanFile{}, app.Internal(err)
	}
	return ScanFile{ScanInfo: scanInfo(row), Data: row.Data}, nil
}
