package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// PageSize is how many rows a paged staff list shows (the roster, the credentials,
// the audit log): a 1,152-unit roster is 24 pages instead of one 2 MB page.
const PageSize = 50

// listPager is one page of a long list: which rows, and the links to its neighbours
// (the current query string kept, page= replaced). Rendered by the "list_pager" partial.
type listPager struct {
	Page, Pages, Total int
	From, To           int // 1-based, for "rows 51–100 of 1152"; 0 when empty
	Prev, Next         string
	lo, hi             int
}

// paginate reads ?page= (1 when missing or bad, the last page when past the end)
// and returns the window over total rows.
func paginate(c *fiber.Ctx, total int) listPager {
	pages := max(1, (total+PageSize-1)/PageSize)
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return pagerAt(c, min(page, pages), pages, total, PageSize)
}

// pagerAt is the pager of a list a service paged: page of pages, per rows a page.
func pagerAt(c *fiber.Ctx, page, pages, total, per int) listPager {
	p := listPager{Page: page, Pages: pages, Total: total, lo: (page - 1) * per, hi: min(page*per, total)}
	if total > 0 {
		p.From, p.To = p.lo+1, p.hi
	}
	if page > 1 {
		p.Prev = pageURL(c, page-1)
	}
	if page < pages {
		p.Next = pageURL(c, page+1)
	}
	return p
}

// pageURL is the current path and query with page= set to n.
func pageURL(c *fiber.Ctx, n int) string {
	v := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	v.Set("page", strconv.Itoa(n))
	return c.Path() + "?" + v.Encode()
}

// window slices rows to the listPager's page.
func window[T any](rows []T, p listPager) []T {
	if p.lo >= len(rows) {
		return nil
	}
	return rows[p.lo:min(p.hi, len(rows))]
}
