package ballotlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/transparency-dev/merkle/rfc6962"

	"gongzhi/app/rules"
)

// Mismatch is the first thing in a bundle that does not hold: where (a leaf, a head,
// an item of the results, the PDF) and what.
type Mismatch struct {
	Where string
	What  string
}

func (m *Mismatch) Error() string { return m.Where + ": " + m.What }

func mismatch(where, format string, args ...any) *Mismatch {
	return &Mismatch{Where: where, What: fmt.Sprintf(format, args...)}
}

// Summary is what a successful verification found.
type Summary struct {
	VoteID        int64
	Leaves        int
	Heads         int
	KeyID         string
	Root          string
	Recounted     bool // the leaves' bytes were in the bundle and the recount matched
	Counted       int
	Voided        int
	ResultsSigned bool // the closing head signs the spec and the results (format gongzhi-ballot-log/2)
	PDFHash       bool // the PDF given matched
	PDFGiven      bool
}

// String is the one-line summary the verifier prints.
func (s Summary) String() string {
	pdf := "no PDF given"
	if s.PDFGiven {
		pdf = "resolution PDF SHA-256 matches"
	}
	signed := "the closing head signs the vote spec and the published results"
	if !s.ResultsSigned {
		signed = "WARNING: the published results are NOT covered by a signature (closing head of format gongzhi-ballot-log/1, signed before migration 00034)"
	}
	count := fmt.Sprintf("recount matches the published results (%d counted, %d voided)", s.Counted, s.Voided)
	if !s.Recounted {
		count = "no recount (public bundle: leaf hashes only; the auditors' bundle recounts)"
	}
	return fmt.Sprintf("OK vote %d: %d leaves, %d signed heads verified under key %s, closing root %s, %s, %s, %s",
		s.VoteID, s.Leaves, s.Heads, s.KeyID, s.Root, signed, count, pdf)
}

// publishedResult is the part of the published result document a recount checks.
type publishedResult struct {
	VoteID                 int64  `json:"vote_id"`
	LegalProfile           string `json:"legal_profile"`
	QuorumMet              bool   `json:"quorum_met"`
	TotalArea              string `json:"total_area"`
	TotalHeadcount         int    `json:"total_headcount"`
	ParticipatingArea      string `json:"participating_area"`
	ParticipatingHeadcount int    `json:"participating_headcount"`
	BallotsCounted         int    `json:"ballots_counted"`
	BallotsVoided          int    `json:"ballots_voided"`
	ReceiptsDigest         string `json:"receipts_digest"`
	Items                  map[string]struct {
		AgreeArea        string `json:"agree_area"`
		AgreeHeadcount   int    `json:"agree_headcount"`
		OpposeArea       string `json:"oppose_area"`
		OpposeHeadcount  int    `json:"oppose_headcount"`
		AbstainArea      string `json:"abstain_area"`
		AbstainHeadcount int    `json:"abstain_headcount"`
		Passed           bool   `json:"passed"`
	} `json:"items"`
	Elections map[string]struct {
		Elected         []string `json:"elected"`
		Runoff          []string `json:"runoff"`
		CommitteeFormed bool     `json:"committee_formed"`
		InvalidBallots  int      `json:"invalid_ballots"`
		Candidates      map[string]struct {
			AgreeArea      string `json:"agree_area"`
			AgreeHeadcount int    `json:"agree_headcount"`
			Qualified      bool   `json:"qualified"`
		} `json:"candidates"`
	} `json:"elections"`
}

// Verify checks a bundle offline: every leaf is canonical, dense and in order and
// hashes to its stated hash; every head's signature verifies (under pinned when
// given, else the bundle's key) and its root is that of the leaves it covers; the
// closing head covers every leaf; a recount of the live ballots with app/rules under
// the vote's legal profile gives the published results; and pdf, when given, has
// the SHA-256 the bundle names. The first mismatch is returned as a *Mismatch.
func Verify(b *Bundle, pdf []byte, pinned ed25519.PublicKey) (Summary, error) {
	if b.Format != BundleFormat {
		return Summary{}, mismatch("bundle", "format %q, expected %q", b.Format, BundleFormat)
	}
	pub, err := ParsePublicKey(b.PublicKey)
	if err != nil {
		return Summary{}, mismatch("public_key", "%v", err)
	}
	if pinned != nil && !pub.Equal(pinned) {
		return Summary{}, mismatch("public_key", "the bundle's key %s is not the pinned key %s", KeyID(pub), KeyID(pinned))
	}
	sum := Summary{VoteID: b.Vote.VoteID, Leaves: len(b.Leaves), Heads: len(b.Heads), KeyID: KeyID(pub)}

	// Leaves: canonical, dense, ordered, hashing to their stated hashes. A public
	// bundle withholds every leaf's bytes (hashes only); any other bundle has them all.
	withheld := len(b.Leaves) > 0 && b.Leaves[0].Leaf == ""
	if withheld && b.Kind != BundlePublic {
		return sum, mismatch("leaf 0", "no leaf bytes in a %q bundle (only the public bundle withholds them)", b.Kind)
	}
	leaves := make([]Leaf, len(b.Leaves))
	hashes := make([][]byte, len(b.Leaves))
	for i, bl := range b.Leaves {
		where := fmt.Sprintf("leaf %d", i)
		if bl.Seq != uint64(i) {
			if bl.Seq > uint64(i) {
				return sum, mismatch(where, "carries seq %d: leaf seq %d is missing (dropped) or out of order", bl.Seq, i)
			}
			return sum, mismatch(where, "carries seq %d, expected %d (reordered or repeated)", bl.Seq, i)
		}
		if (bl.Leaf == "") != withheld {
			return sum, mismatch(where, "leaf bytes given for some leaves and not others")
		}
		if withheld {
			h, err := hex.DecodeString(bl.LeafHash)
			if err != nil || len(h) != 32 {
				return sum, mismatch(where, "leaf_hash %q is not 32 bytes of hex", bl.LeafHash)
			}
			hashes[i] = h
			continue
		}
		l, err := ParseLeaf([]byte(bl.Leaf))
		if err != nil {
			return sum, mismatch(where, "%v", err)
		}
		if l.Seq != bl.Seq {
			return sum, mismatch(where, "its bytes say seq %d (reordered)", l.Seq)
		}
		h := rfc6962.DefaultHasher.HashLeaf([]byte(bl.Leaf))
		if hex.EncodeToString(h) != bl.LeafHash {
			return sum, mismatch(fmt.Sprintf("leaf %d (receipt %s)", i, l.Receipt), "its bytes hash to %x, not to its leaf_hash %s: the leaf was changed", h, bl.LeafHash)
		}
		leaves[i], hashes[i] = l, h
	}

	// Heads: signatures, then roots in order of size over one compact range.
	order := make([]int, len(b.Heads))
	closing := -1
	for i, h := range b.Heads {
		where := fmt.Sprintf("head %d (%s, size %d)", i, h.Kind, h.Size)
		if h.VoteID != b.Vote.VoteID {
			return sum, mismatch(where, "belongs to vote %d, not %d", h.VoteID, b.Vote.VoteID)
		}
		if err := h.Verify(pub); err != nil {
			return sum, mismatch(where, "%v", err)
		}
		if h.Size > uint64(len(leaves)) {
			return sum, mismatch(where, "covers %d leaves but the bundle holds %d: leaves were dropped", h.Size, len(leaves))
		}
		if h.Kind == HeadClose {
			if closing >= 0 {
				return sum, mismatch(where, "a second closing head")
			}
			closing = i
		}
		order[i] = i
	}
	sort.SliceStable(order, func(a, c int) bool { return b.Heads[order[a]].Size < b.Heads[order[c]].Size })
	r := factory.NewEmptyRange(0)
	prev := uint64(0)
	for _, i := range order {
		h := b.Heads[i]
		for r.End() < h.Size {
			if err := r.Append(hashes[r.End()], nil); err != nil {
				return sum, mismatch("leaves", "%v", err)
			}
		}
		root := rfc6962.DefaultHasher.EmptyRoot()
		if h.Size > 0 {
			if root, err = r.GetRootHash(nil); err != nil {
				return sum, mismatch("leaves", "%v", err)
			}
		}
		if hex.EncodeToString(root) != h.RootHash {
			return sum, mismatch(fmt.Sprintf("head %d (%s, size %d)", i, h.Kind, h.Size),
				"signed root %s, but the leaves give %x: a leaf between seq %d and %d differs from what was signed", h.RootHash, root, prev, max(h.Size, 1)-1)
		}
		prev = h.Size
	}
	if closing < 0 {
		return sum, mismatch("heads", "no closing head")
	}
	if ch := b.Heads[closing]; ch.Size != uint64(len(leaves)) {
		return sum, mismatch(fmt.Sprintf("head %d (close)", closing), "covers %d leaves but the bundle holds %d: leaves were added after the close", ch.Size, len(leaves))
	} else {
		sum.Root = ch.RootHash
	}

	// Results: hash, then a recount.
	rs := sha256.Sum256(b.Results)
	if hex.EncodeToString(rs[:]) != b.ResultsSHA256 {
		return sum, mismatch("results", "SHA-256 %x, the bundle names %s", rs, b.ResultsSHA256)
	}
	var pub2 publishedResult
	if err := json.Unmarshal(b.Results, &pub2); err != nil {
		return sum, mismatch("results", "not a result document: %v", err)
	}
	if !withheld {
		counted, voided, err := recount(b, leaves, &pub2)
		if err != nil {
			return sum, err
		}
		sum.Recounted, sum.Counted, sum.Voided = true, counted, voided
	}

	// The closing head's signature over the spec and the published results.
	if ch := b.Heads[closing]; ch.SignsResults() {
		where := fmt.Sprintf("head %d (close)", closing)
		spec, err := b.Vote.SpecSHA256()
		if err != nil {
			return sum, mismatch("vote", "%v", err)
		}
		if ch.SpecSHA256 != spec {
			return sum, mismatch(where, "signed vote spec SHA-256 %s, but the bundle's vote spec hashes to %s: the counting parameters are not the ones signed", ch.SpecSHA256, spec)
		}
		if ch.ResultsSHA256 != hex.EncodeToString(rs[:]) {
			return sum, mismatch(where, "signed results SHA-256 %s, but the bundle's results hash to %x: the published results are not the ones signed", ch.ResultsSHA256, rs)
		}
		sum.ResultsSigned = true
	}

	if pdf != nil {
		sum.PDFGiven = true
		if b.ResolutionPDFSHA256 == "" {
			return sum, mismatch("resolution PDF", "the bundle names no resolution PDF")
		}
		ps := sha256.Sum256(pdf)
		if hex.EncodeToString(ps[:]) != b.ResolutionPDFSHA256 {
			return sum, mismatch("resolution PDF", "SHA-256 %x, the bundle names %s", ps, b.ResolutionPDFSHA256)
		}
		sum.PDFHash = true
	}
	return sum, nil
}

// ParseChoices decodes canonical choices: an item key maps to "agree", "oppose" or
// "abstain", an election key to the list of candidate keys agreed with.
func ParseChoices(raw []byte) (map[string]rules.Choice, map[string][]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, err
	}
	var items map[string]rules.Choice
	var elections map[string][]string
	for k, v := range m {
		if len(v) > 0 && v[0] == '[' {
			var list []string
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, nil, fmt.Errorf("choices of %s: %w", k, err)
			}
			if elections == nil {
				elections = map[string][]string{}
			}
			elections[k] = list
			continue
		}
		var c string
		if err := json.Unmarshal(v, &c); err != nil {
			return nil, nil, fmt.Errorf("choice of %s: %w", k, err)
		}
		if items == nil {
			items = map[string]rules.Choice{}
		}
		items[k] = rules.Choice(c)
	}
	return items, elections, nil
}

// recount tallies the live ballots of the leaves and compares with the published
// results.
func recount(b *Bundle, leaves []Leaf, pr *publishedResult) (int, int, error) {
	type ballot struct {
		seq    int
		voided bool
	}
	byReceipt := make(map[string]*ballot, len(leaves))
	voided := 0
	for i, l := range leaves {
		if l.Headcount != 1 {
			return 0, 0, mismatch(fmt.Sprintf("leaf %d (receipt %s)", i, l.Receipt), "headcount %d, a ballot is one voter", l.Headcount)
		}
		if l.Kind == KindVoid {
			bl, ok := byReceipt[l.Receipt]
			if !ok || bl.voided {
				return 0, 0, mismatch(fmt.Sprintf("leaf %d", i), "voids receipt %s, which is no live ballot before it", l.Receipt)
			}
			bl.voided = true
			voided++
			continue
		}
		if _, dup := byReceipt[l.Receipt]; dup {
			return 0, 0, mismatch(fmt.Sprintf("leaf %d", i), "receipt %s appears twice", l.Receipt)
		}
		byReceipt[l.Receipt] = &ballot{seq: i}
	}
	v := b.Vote
	in := rules.TallyInput{Profile: rules.LegalProfile(v.LegalProfile), TotalArea: rules.Area(v.TotalArea),
		TotalHeadcount: v.TotalHeadcount, FollowMajority: v.FollowMajority}
	for _, it := range v.Items {
		in.Items = append(in.Items, rules.ItemSpec{Key: it.Key, Matter: rules.Matter(it.Matter)})
	}
	for _, e := range v.Elections {
		in.Elections = append(in.Elections, rules.ElectionSpec{Key: e.Key, Seats: e.Seats, Alternates: e.Alternates,
			MinMembers: e.MinMembers, Candidates: e.Candidates})
	}
	type decoded struct {
		items     map[string]rules.Choice
		elections map[string][]string
	}
	cache := map[string]decoded{}
	receipts := make([]string, 0, len(byReceipt))
	for i, l := range leaves {
		if l.Kind == KindVoid {
			continue
		}
		receipts = append(receipts, l.Receipt)
		if byReceipt[l.Receipt].voided {
			continue
		}
		d, ok := cache[l.Choices]
		if !ok {
			items, elections, err := ParseChoices([]byte(l.Choices))
			if err != nil {
				return 0, 0, mismatch(fmt.Sprintf("leaf %d (receipt %s)", i, l.Receipt), "choices: %v", err)
			}
			d = decoded{items, elections}
			cache[l.Choices] = d
		}
		in.Ballots = append(in.Ballots, rules.CastBallot{Area: rules.Area(l.Area), Choices: d.items, Elections: d.elections})
	}
	res := rules.Tally(in)

	// The receipts digest, as the close computes it.
	slices.Sort(receipts)
	h := sha256.New()
	for _, r := range receipts {
		h.Write([]byte(r))
		if byReceipt[r].voided {
			h.Write([]byte(" void\n"))
		} else {
			h.Write([]byte(" counted\n"))
		}
	}
	digest := hex.EncodeToString(h.Sum(nil))

	checkInt := func(where string, published, recounted int) error {
		if published != recounted {
			return mismatch("results: "+where, "published %d, recount %d", published, recounted)
		}
		return nil
	}
	checkArea := func(where string, published string, recounted rules.Area) error {
		if published != recounted.String() {
			return mismatch("results: "+where, "published %s m², recount %s m²", published, recounted.String())
		}
		return nil
	}
	checkBool := func(where string, published, recounted bool) error {
		if published != recounted {
			return mismatch("results: "+where, "published %t, recount %t", published, recounted)
		}
		return nil
	}
	if pr.VoteID != v.VoteID {
		return 0, 0, mismatch("results: vote_id", "published %d, bundle of vote %d", pr.VoteID, v.VoteID)
	}
	errs := []error{
		checkInt("ballots_counted", pr.BallotsCounted, len(in.Ballots)),
		checkInt("ballots_voided", pr.BallotsVoided, voided),
		checkArea("total_area", pr.TotalArea, res.Total.Area),
		checkInt("total_headcount", pr.TotalHeadcount, res.Total.Headcount),
		checkArea("participating_area", pr.ParticipatingArea, res.Participating.Area),
		checkInt("participating_headcount", pr.ParticipatingHeadcount, res.Participating.Headcount),
		checkBool("quorum_met", pr.QuorumMet, res.QuorumMet),
	}
	if pr.ReceiptsDigest != digest {
		errs = append(errs, mismatch("results: receipts_digest", "published %s, recount %s", pr.ReceiptsDigest, digest))
	}
	for _, it := range v.Items {
		got := res.Items[it.Key]
		p, ok := pr.Items[it.Key]
		if !ok {
			errs = append(errs, mismatch("results: item "+it.Key, "missing from the published results"))
			continue
		}
		w := "item " + it.Key + " "
		errs = append(errs,
			checkArea(w+"agree_area", p.AgreeArea, got.Agree.Area), checkInt(w+"agree_headcount", p.AgreeHeadcount, got.Agree.Headcount),
			checkArea(w+"oppose_area", p.OpposeArea, got.Oppose.Area), checkInt(w+"oppose_headcount", p.OpposeHeadcount, got.Oppose.Headcount),
			checkArea(w+"abstain_area", p.AbstainArea, got.Abstain.Area), checkInt(w+"abstain_headcount", p.AbstainHeadcount, got.Abstain.Headcount),
			checkBool(w+"passed", p.Passed, got.Passed))
	}
	for _, e := range v.Elections {
		got := res.Elections[e.Key]
		p, ok := pr.Elections[e.Key]
		if !ok {
			errs = append(errs, mismatch("results: election "+e.Key, "missing from the published results"))
			continue
		}
		w := "election " + e.Key + " "
		for _, c := range e.Candidates {
			pc, gc := p.Candidates[c], got.Candidates[c]
			errs = append(errs, checkArea(w+"candidate "+c+" agree_area", pc.AgreeArea, gc.Agree.Area),
				checkInt(w+"candidate "+c+" agree_headcount", pc.AgreeHeadcount, gc.Agree.Headcount),
				checkBool(w+"candidate "+c+" qualified", pc.Qualified, gc.Qualified))
		}
		if strings.Join(p.Elected, ",") != strings.Join(got.Elected, ",") {
			errs = append(errs, mismatch("results: "+w+"elected", "published [%s], recount [%s]", strings.Join(p.Elected, ", "), strings.Join(got.Elected, ", ")))
		}
		errs = append(errs, checkInt(w+"invalid_ballots", p.InvalidBallots, got.InvalidBallots),
			checkBool(w+"committee_formed", p.CommitteeFormed, got.CommitteeFormed))
	}
	for _, err := range errs {
		if err != nil {
			return 0, 0, err
		}
	}
	return len(in.Ballots), voided, nil
}

// DecodeBundle reads a bundle's JSON.
func DecodeBundle(raw []byte) (*Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return &b, nil
}
