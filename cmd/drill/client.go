package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// httpClient is shared by every simulated client: a bounded pool of loopback connections.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second},
		// The drill looks at redirects itself (a web page that sends to /login).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// apiClient calls the JSON API of one base URL, with a bearer token once signed in.
type apiClient struct {
	hc    *http.Client
	base  string
	token string
}

// call sends a JSON request and decodes a JSON answer into out (when not nil and the
// status is 2xx). A transport error (the server killed) is returned as an error.
func (a *apiClient) call(ctx context.Context, method, path string, body, out any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.send(req, out)
}

func (a *apiClient) send(req *http.Request, out any) (int, []byte, error) {
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%s %s: decoding: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, b, nil
}

// must calls and requires the status want.
func (a *apiClient) must(ctx context.Context, want int, method, path string, body, out any) error {
	status, b, err := a.call(ctx, method, path, body, out)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, status, want, truncate(b))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// signIn gets an API token for a demo account.
func (a *apiClient) signIn(ctx context.Context, username, password string) error {
	var out struct {
		Token string `json:"token"`
	}
	if err := a.must(ctx, 200, "POST", "/api/v1/auth/token", map[string]string{"username": username, "password": password}, &out); err != nil {
		return err
	}
	a.token = out.Token
	return nil
}

// The demo street office's account (README: demo logins).
const streetUser, streetPassword = "street", "Demo2026street"

// generateRoster writes a roster CSV (app/rosterfile/doc.go) of units rooms, one
// owner each with a valid resident ID number, and returns the identity check and
// the area (in 0.01 m²) of every room.
func generateRoster(units int, seed uint64) ([]byte, map[string]string, map[string]int64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"building", "unit", "room", "area", "owner_name", "id_number", "owner_kind", "representative"})
	checks := make(map[string]string, units)
	areas := make(map[string]int64, units)
	birth0 := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range units {
		building := strconv.Itoa(i/200 + 1)
		unit := strconv.Itoa(i%200/40 + 1)
		room := strconv.Itoa((i%40/4+1)*100 + i%4 + 1)
		hundredths := int64(6000 + rng.IntN(9000))
		area := fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
		// (i/1000, i%1000) makes every ID number distinct: one voter per room.
		birth := birth0.AddDate(0, 0, i/1000*997+rng.IntN(997)).Format("20060102")
		id := residentID("110101" + birth + fmt.Sprintf("%03d", i%1000))
		_ = w.Write([]string{building, unit, room, area, "业主" + strconv.Itoa(i+1), id, "person", "1"})
		checks[building+"-"+unit+"-"+room] = id[12:]
		areas[building+"-"+unit+"-"+room] = hundredths
	}
	w.Flush()
	return buf.Bytes(), checks, areas
}

// residentID appends the GB 11643-1999 check character to 17 digits.
func residentID(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// credential is one voter's personal link, with the identity check of its rooms.
type credential struct {
	VoterID int64    `json:"voter_id"`
	Rooms   []string `json:"rooms"`
	Token   string   `json:"token"`
	idCheck string
	area    int64 // 0.01 m²
}

// fixture is a vote open for ballots on a new estate with a generated roster.
type fixture struct {
	estateID, voteID int64
	creds            []credential
}

// setupVote signs in as the demo street office, creates an estate in the demo
// community, imports a generated roster of units rooms, drafts a vote of two items
// closing closesIn from now (its notice and opening lie in the past, as API.md
// allows), opens it and reads the credentials.
func setupVote(ctx context.Context, staff *apiClient, units int, closesIn time.Duration) (*fixture, error) {
	var estates []struct {
		ID          int64 `json:"id"`
		CommunityID int64 `json:"community_id"`
	}
	if err := staff.must(ctx, 200, "GET", "/api/v1/estates", nil, &estates); err != nil {
		return nil, err
	}
	if len(estates) == 0 {
		return nil, fmt.Errorf("the street account sees no demo estate")
	}
	f := &fixture{}
	var created struct {
		ID int64 `json:"id"`
	}
	if err := staff.must(ctx, 201, "POST", "/api/v1/estates", map[string]any{
		"name": "演练小区 " + randomHex(2), "community_id": estates[0].CommunityID, "jurisdiction_profile": "national",
	}, &created); err != nil {
		return nil, err
	}
	f.estateID = created.ID

	data, checks, areas := generateRoster(units, uint64(time.Now().UnixNano()))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "roster.csv")
	_, _ = part.Write(data)
	_ = mw.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/api/v1/estates/%d/roster", staff.base, f.estateID), &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if status, b, err := staff.send(req, nil); err != nil || status != 200 {
		return nil, fmt.Errorf("roster import: status %d: %v %s", status, err, truncate(b))
	}

	now := time.Now().UTC()
	if err := staff.must(ctx, 201, "POST", fmt.Sprintf("/api/v1/estates/%d/votes", f.estateID), map[string]any{
		"title": "演练表决", "legal_profile": "civil-code-2021", "form": "written",
		"notice_published_at": now.AddDate(0, 0, -25).Format(time.RFC3339),
		"opens_at":            now.AddDate(0, 0, -3).Format(time.RFC3339),
		"closes_at":           now.Add(closesIn).Format(time.RFC3339),
		"items": []map[string]any{
			{"key": "manager", "title": "续聘物业服务企业", "text": "续聘物业服务企业的全文。", "matter": "hire_dismiss_manager"},
			{"key": "fund", "title": "筹集维修资金", "text": "筹集维修资金的全文。", "matter": "raise_maintenance_fund"},
		},
	}, &created); err != nil {
		return nil, err
	}
	f.voteID = created.ID
	if err := staff.must(ctx, 200, "POST", fmt.Sprintf("/api/v1/votes/%d/open", f.voteID), nil, nil); err != nil {
		return nil, err
	}
	if err := staff.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/credentials", f.voteID), nil, &f.creds); err != nil {
		return nil, err
	}
	for i := range f.creds {
		for _, room := range f.creds[i].Rooms {
			if c, ok := checks[room]; ok {
				f.creds[i].idCheck = c
				f.creds[i].area = areas[room]
				break
			}
		}
		if f.creds[i].idCheck == "" {
			return nil, fmt.Errorf("no identity check for the rooms %v", f.creds[i].Rooms)
		}
	}
	if len(f.creds) != units {
		return nil, fmt.Errorf("%d credentials for %d units", len(f.creds), units)
	}
	return f, nil
}

// choicesFor is a deterministic ballot of a voter, so results can be recomputed.
func choicesFor(voterID int64) map[string]any {
	opts := []string{"agree", "oppose", "abstain"}
	return map[string]any{"manager": opts[voterID%3], "fund": opts[(voterID/3)%3]}
}

// cast posts an online ballot and returns the status and the receipt of a 201.
func cast(ctx context.Context, a *apiClient, c credential, idCheck string) (int, string, error) {
	var out struct {
		Receipt string `json:"receipt"`
	}
	status, _, err := a.call(ctx, "POST", "/api/v1/ballots/"+c.Token, map[string]any{"id_check": idCheck, "choices": choicesFor(c.VoterID)}, &out)
	return status, out.Receipt, err
}

// ballotRecord is a ballot of GET /votes/{id}/ballots.
type ballotRecord struct {
	ID      int64  `json:"id"`
	VoterID int64  `json:"voter_id"`
	Receipt string `json:"receipt"`
	Void    any    `json:"void"`
}

// ballots lists a vote's ballots.
func ballots(ctx context.Context, staff *apiClient, voteID int64) ([]ballotRecord, error) {
	var out []ballotRecord
	err := staff.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/ballots", voteID), nil, &out)
	return out, err
}

// receiptStored asks GET /receipts/{code}: 200 with the vote's id.
func receiptStored(ctx context.Context, a *apiClient, code string, voteID int64) (bool, error) {
	var out struct {
		VoteID int64 `json:"vote_id"`
	}
	status, b, err := a.call(ctx, "GET", "/api/v1/receipts/"+code, nil, &out)
	if err != nil {
		return false, err
	}
	switch status {
	case 200:
		return out.VoteID == voteID, nil
	case 404:
		return false, nil
	}
	return false, fmt.Errorf("receipt %s: status %d: %s", code, status, truncate(b))
}

// normalise is a receipt code without dashes or spaces, upper case.
func normalise(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
