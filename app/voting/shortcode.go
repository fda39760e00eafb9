package voting

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"gongzhi/app"
	"gongzhi/models"
)

// A ballot's short code is what an owner types when the QR code cannot be scanned:
// eight characters (Crockford base32 of the first 40 bits of the token's stored
// SHA-256), printed as "ABCD-EFGH" beside the QR code, entered on the page /b. It is
// not a credential and opens nothing by itself: the page /b asks for the code AND the
// identity check together, and shows the ballot only when both are right (a wrong
// pair gets one answer, whichever was wrong, so the page tells nobody whether a code
// exists; the room, estate and area are never shown before the check). Only links of
// votes now open are found. Entering codes is limited per client address
// (handlers/routes.go, CODE_RATE_LIMIT), so the 2^40 codes cannot be swept.
// Nothing is stored for it: the code is read off token_hash, whose unique index finds
// it by range.

// codeAlphabet is Crockford's base32: no I, L, O or U, so nothing reads as another.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeHexLen is how many hex digits of the token hash a code stands for (40 bits).
const codeHexLen = 10

// ShortCode is the short code of a ballot token, "ABCD-EFGH".
func ShortCode(token string) string { return codeOfHash(hashToken(token)) }

// codeOfHash is the short code of a stored token hash.
func codeOfHash(tokenHash string) string {
	raw, err := hex.DecodeString(tokenHash[:codeHexLen])
	if err != nil {
		return ""
	}
	var v uint64
	for _, b := range raw {
		v = v<<8 | uint64(b)
	}
	out := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		out[i] = codeAlphabet[v&31]
		v >>= 5
	}
	return string(out[:4]) + "-" + string(out[4:])
}

// codePrefix reads a typed code (any case, spaces and hyphens ignored, O as 0, I and L
// as 1) into the hex prefix of the token hash it stands for.
func codePrefix(typed string) (string, bool) {
	var v uint64
	n := 0
	for _, r := range strings.ToUpper(typed) {
		switch r {
		case ' ', '-', '\t', '　':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		i := strings.IndexRune(codeAlphabet, r)
		if i < 0 || n == 8 {
			return "", false
		}
		v = v<<5 | uint64(i)
		n++
	}
	if n != 8 {
		return "", false
	}
	return fmt.Sprintf("%010x", v), true
}

// ErrUnknownCode answers a short code that is malformed or finds no ballot of an
// open vote, or whose identity check is wrong: one answer for all of them.
func ErrUnknownCode() error { return app.Fail(app.ENotFound, "err.voting.code_unknown") }

// OpenByCode is the ballot a short code and an identity check open together: the
// link's token and the ballot pass, as CheckIdentity gives them. A malformed or
// unknown code, a vote not open, or a wrong check is ErrUnknownCode (a wrong check
// still counts against the link's attempts, as on the link's own page); a locked
// link or a rate limit keeps its own answer.
func (s *Service) OpenByCode(ctx context.Context, typed, idCheck string) (token, pass string, err error) {
	if strings.TrimSpace(idCheck) == "" {
		return "", "", app.Invalid("id_check", app.M("err.voting.code_needs_check"))
	}
	url, err := s.BallotURLByCode(ctx, typed)
	if err != nil {
		return "", "", err
	}
	token = strings.TrimPrefix(url, "/b/")
	pass, err = s.CheckIdentity(ctx, token, idCheck)
	if err != nil {
		if code := app.ErrorCode(err); code == app.EForbidden || code == app.EInvalid {
			return "", "", ErrUnknownCode()
		}
		return "", "", err
	}
	return token, pass, nil
}

// BallotURLByCode is the personal ballot link a short code stands for. A code that
// finds no link, or more than one current link (two tokens sharing 40 bits), is
// ErrUnknownCode: the owner then scans the QR code or asks staff. It reads only.
func (s *Service) BallotURLByCode(ctx context.Context, typed string) (string, error) {
	prefix, ok := codePrefix(typed)
	if !ok {
		return "", ErrUnknownCode()
	}
	var rows []models.VoteCredential
	// token_hash is lower-case hex; the range [prefix, prefix+"g") is every hash that
	// starts with prefix, and the unique index on token_hash serves it.
	if err := s.db.WithContext(ctx).Where("token_hash >= ? AND token_hash < ?", prefix, prefix+"g").
		Where("vote_id IN (SELECT id FROM votes WHERE state = ?)", models.VoteOpen).
		Order("id").Limit(8).Find(&rows).Error; err != nil {
		return "", app.Internal(fmt.Errorf("credential by code: %w", err))
	}
	var found []models.VoteCredential
	for _, r := range rows {
		if strings.HasPrefix(r.TokenHash, prefix) && r.Status != models.CredentialRevoked {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return "", ErrUnknownCode()
	}
	token, err := s.pii.Decrypt(found[0].TokenEnc)
	if err != nil {
		return "", app.Internal(fmt.Errorf("decrypting token: %w", err))
	}
	return "/b/" + token, nil
}

// CodeURL is the page where a short code is entered, as printed on the notices.
func (s *Service) CodeURL() string { return s.publicURL + "/b" }
