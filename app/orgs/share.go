package orgs

import (
	"context"
	"slices"
	"sync"

	"gongzhi/models"
)

// One estate list per request (issue 15, city scale): a page such as the week's work
// asks five services for their items, and each lists the estates of the viewer's
// jurisdiction (ListEstates); for a city that is 10,000 estates read five times.
// ShareEstates marks a context whose ListEstates calls share the first list read: the
// caller installs it for one read-only use case (a GET, never across a change to the
// estates), and every service below it reads the list once.

type estateMemoKey struct{}

type estateMemo struct {
	mu     sync.Mutex
	prefix string
	list   []models.EstateWithPath
	ok     bool
}

// ShareEstates returns ctx with an estate list shared by the ListEstates calls under
// it (ctx itself when it already has one).
func ShareEstates(ctx context.Context) context.Context {
	if _, ok := ctx.Value(estateMemoKey{}).(*estateMemo); ok {
		return ctx
	}
	return context.WithValue(ctx, estateMemoKey{}, &estateMemo{})
}

// SetShareEstates turns the sharing off (false) or on (true, the default): the
// benchmark of cmd/gencity measures both in one run.
func (s *Service) SetShareEstates(on bool) { s.noShare = !on }

// estatesUnder lists the estates under an org path, once per shared context.
func (s *Service) estatesUnder(ctx context.Context, prefix string) ([]models.EstateWithPath, error) {
	m, ok := ctx.Value(estateMemoKey{}).(*estateMemo)
	if !ok || s.noShare {
		return models.EstatesUnder(ctx, s.db, prefix)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ok && m.prefix == prefix {
		return slices.Clone(m.list), nil
	}
	list, err := models.EstatesUnder(ctx, s.db, prefix)
	if err != nil {
		return nil, err
	}
	m.prefix, m.list, m.ok = prefix, list, true
	return slices.Clone(list), nil
}
