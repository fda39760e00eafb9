package access

import (
	"os"
	"strings"
	"testing"

	"gongzhi/app"
)

// TestDocsTableMatchesPolicy reads the table of docs/roles.md and compares every cell
// with the policy, so the documentation cannot drift from the code.
func TestDocsTableMatchesPolicy(t *testing.T) {
	data, err := os.ReadFile("../../docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	roles := app.Roles()
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != len(roles)+2 {
			t.Fatalf("row %q has %d cells", line, len(cells))
		}
		name := strings.Trim(strings.Fields(strings.TrimSpace(cells[0]))[0], "`")
		var act Action
		for _, a := range Actions() {
			if a.String() == name {
				act = a
			}
		}
		if act == 0 {
			t.Errorf("docs/roles.md names %q, which app/access does not know", name)
			continue
		}
		seen[name] = true
		for i, r := range roles {
			doc := strings.TrimSpace(cells[i+1]) == "✓"
			if code := Can(app.Principal{Role: r}, act); doc != code {
				t.Errorf("%s for %s: docs/roles.md says %v, the policy %v", name, r, doc, code)
			}
		}
	}
	for _, a := range Actions() {
		if !seen[a.String()] {
			t.Errorf("docs/roles.md has no row for %s", a)
		}
	}
}

func TestAuditorsWriteNothing(t *testing.T) {
	auditor := app.Principal{Role: app.RoleAuditor}
	for _, a := range Actions() {
		if a == AuditVotes {
			// The auditor's own records (paper-audit samples and checks, kept recounts).
			if !Can(auditor, a) {
				t.Error("an auditor may not use the audit workspace")
			}
			continue
		}
		if Can(auditor, a) {
			t.Errorf("an auditor may %s", a)
		}
		if err := Require(auditor, a); app.ErrorCode(err) != app.EForbidden {
			t.Errorf("%s: an auditor gets %v, want forbidden", a, err)
		}
	}
	if Can(app.Principal{}, RunVote) || RequireAny(app.Principal{Role: app.RoleDistrict}, RunVote, ReadBallotLinks) == nil {
		t.Error("no role or the district may run a vote")
	}
	if RequireAny(app.Principal{Role: app.RoleCommittee}, PrepCompose, ReelectionCompose) != nil {
		t.Error("a committee may compose its re-election group")
	}
}
