package rosterfile

import (
	"sync"

	"gongzhi/app"
	"gongzhi/views"
)

var testViews = sync.OnceValues(views.New)

// zh renders a row error's message as a Chinese reader sees it.
func zh(m app.Msg) string {
	r, err := testViews()
	if err != nil {
		panic(err)
	}
	return r.Msg("zh-CN", m)
}
