package handlers_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
)

// A GET never issues or changes anything (issue 16, defect 1): every GET route of the
// roles sweep, for every role, leaves the documents and the audit log as they were. A
// resolution is issued by staff who may (or on publication), never by a download.

// swReadAudits are the audit entries a GET may add: the record that someone exported the
// owners' personal data or printed the voters' ballot links (access to personal data and
// credentials is logged, docs/rules.md), and the
// closing of a vote past its closing time, done by the system (no user) whoever reads it
// first. Nothing else, and never a document.
const swReadAudits = "action IN ('roster.export', 'document.notices.print') OR (action = 'vote.close' AND user_id IS NULL)"

// swTableCounts counts the rows a GET must never add.
func swTableCounts(t *testing.T, env *voteEnv) string {
	t.Helper()
	var out []string
	for _, q := range []string{"SELECT COUNT(*) FROM documents", "SELECT COUNT(*) FROM document_series",
		// A receipt GET proves against stored heads and never signs a checkpoint (the
		// closing head comes with the system's close of a vote past its time, above).
		"SELECT COUNT(*) FROM ballot_log_heads WHERE kind <> 'close'",
		"SELECT COUNT(*) FROM audit_logs WHERE NOT (" + swReadAudits + ")"} {
		var n int64
		if err := env.DB.DB.Raw(q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		table, _, _ := strings.Cut(strings.TrimPrefix(q, "SELECT COUNT(*) FROM "), " ")
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}

func TestEveryGETChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := newVoteEnv(t, db, handlertest.Options{})
		ids := swSeed(t, env)
		var routes []string
		for key := range swTable {
			if strings.HasPrefix(key, "GET ") {
				routes = append(routes, key)
			}
		}
		sort.Strings(routes)
		callers := []swClient{{name: "auditor", role: "auditor"}, {name: "", role: "anonymous"}, {name: "district", role: "district"},
			{name: "street2", role: "street2"}, {name: "committee", role: "committee"}, {name: "community", role: "community"},
			{name: "street", role: "street"}, {name: "admin", role: "admin"}}
		for _, cl := range callers {
			cl.browser = env.Browser()
			if cl.name != "" {
				cl.token = env.DemoToken(cl.name)
				pw := env.AdminPW
				for _, a := range env.Demo.Accounts {
					if a.Username == cl.name {
						pw = a.Password
					}
				}
				cl.browser.Login(cl.name, pw)
			}
			for _, key := range routes {
				rule := swTable[key]
				_, route, _ := strings.Cut(key, " ")
				// Every seeded vote: a draft, an open one and the published one.
				for _, vote := range []string{"draft", "open", "done"} {
					if !strings.Contains(route, "/votes/:id") && vote != "draft" {
						continue
					}
					rule.vote = vote
					path := swPath(route, rule, ids)
					before := swTableCounts(t, env)
					var resp handlertest.Response
					if strings.HasPrefix(route, "/api/") {
						resp = env.API(http.MethodGet, path, cl.token, nil)
					} else {
						resp = cl.browser.Get(path)
					}
					if after := swTableCounts(t, env); after != before {
						t.Errorf("%s GET %s (%d) changed the records: %s -> %s", cl.role, path, resp.Status, before, after)
					}
				}
			}
		}
	})
}
