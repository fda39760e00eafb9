package ballotlog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// specMagic is the first line of a vote spec's canonical bytes.
const specMagic = "gongzhi-vote-spec/1"

// specToken is what keys, matters and the legal profile look like (item and
// candidate keys are refused otherwise when a vote is created, app/voting), so the
// canonical lines below are unambiguous.
var specToken = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$`)

// CanonicalBytes is the vote spec as the closing head signs it (its SHA-256 is the
// head's spec_sha256, docs/bundle.md): what a recount depends on, one "name=value"
// line each, in this order, every line ending in a newline:
//
//	gongzhi-vote-spec/1
//	vote=<id>
//	legal_profile=<profile>
//	total_area=<0.01 m²>
//	total_headcount=<n>
//	follow_majority=true|false
//	item=<key> <matter>                                  (one per item, in agenda order)
//	election=<key> <seats> <alternates> <min_members> <candidate>,<candidate>,...
//
// The title and closing time are not part of it (the result document, signed
// beside it, carries both). An error names a key or profile that is not a token.
func (v VoteSpec) CanonicalBytes() ([]byte, error) {
	var b strings.Builder
	b.WriteString(specMagic + "\nvote=" + strconv.FormatInt(v.VoteID, 10))
	if !specToken.MatchString(v.LegalProfile) {
		return nil, fmt.Errorf("legal profile %q is not a token", v.LegalProfile)
	}
	b.WriteString("\nlegal_profile=" + v.LegalProfile)
	b.WriteString("\ntotal_area=" + strconv.FormatInt(v.TotalArea, 10))
	b.WriteString("\ntotal_headcount=" + strconv.Itoa(v.TotalHeadcount))
	b.WriteString("\nfollow_majority=" + strconv.FormatBool(v.FollowMajority))
	for _, it := range v.Items {
		if !specToken.MatchString(it.Key) || !specToken.MatchString(it.Matter) {
			return nil, fmt.Errorf("item %q (matter %q) is not a token", it.Key, it.Matter)
		}
		b.WriteString("\nitem=" + it.Key + " " + it.Matter)
	}
	for _, e := range v.Elections {
		if !specToken.MatchString(e.Key) {
			return nil, fmt.Errorf("election %q is not a token", e.Key)
		}
		for _, c := range e.Candidates {
			if !specToken.MatchString(c) {
				return nil, fmt.Errorf("candidate %q of election %s is not a token", c, e.Key)
			}
		}
		fmt.Fprintf(&b, "\nelection=%s %d %d %d %s", e.Key, e.Seats, e.Alternates, e.MinMembers, strings.Join(e.Candidates, ","))
	}
	b.WriteString("\n")
	return []byte(b.String()), nil
}

// SpecSHA256 is the hex SHA-256 of the spec's canonical bytes.
func (v VoteSpec) SpecSHA256() (string, error) {
	raw, err := v.CanonicalBytes()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}
