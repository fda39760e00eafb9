package testkit

import (
	"sync"

	"gongzhi/app"
	"gongzhi/views"
)

var renderer = sync.OnceValues(views.New)

// Chinese renders an application message as the web and the API show it to a
// Chinese reader (the catalogue's zh-CN words), for tests that check its content.
func Chinese(m app.Msg) string { return render("zh-CN", m) }

// English renders an application message in English.
func English(m app.Msg) string { return render("en", m) }

func render(lang string, m app.Msg) string {
	r, err := renderer()
	if err != nil {
		panic(err)
	}
	return r.Msg(lang, m)
}
