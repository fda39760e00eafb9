package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// ContentSecurityPolicy is the policy of every HTML page. The pages carry no
// script at all (the owner's ballot pages work without JavaScript, the staff pages
// too), so scripts are refused outright. Styles come from /static/app.css; no page
// has a <style> element (style-src-elem 'self'), but a few draw bars and tree
// indents with computed widths in style attributes (html/template escapes every
// value it puts there), so style attributes are allowed (style-src-attr; browsers
// without CSP level 3 fall back to style-src, which allows both). Images are
// /static files or the data: URIs of the QR codes on the credentials page; forms
// post only to this site; no other site may frame a page.
const ContentSecurityPolicy = "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; " +
	"style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ChartsPolicy is ContentSecurityPolicy with scripts from this site allowed
// (script-src 'self'): sent only by the staff pages that draw charts (the vendored
// ECharts and the page's own static init file). Inline scripts stay refused — the
// charts' data travels in <script type="application/json"> blocks, which are data,
// not script — and every other page, the owner's ballot pages and the public pages
// first, keeps script-src 'none'.
var ChartsPolicy = strings.Replace(ContentSecurityPolicy, "script-src 'none'", "script-src 'self'", 1)

// AllowScripts is the route middleware of a staff page with charts: it replaces the
// page policy by ChartsPolicy for that route only (issue 15).
func AllowScripts(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentSecurityPolicy, ChartsPolicy)
	return c.Next()
}

// HSTS is the Strict-Transport-Security value sent when cookies are Secure, that
// is when the site is served over TLS: one year, this host only.
const HSTS = "max-age=31536000"

// cacheablePrefixes are the paths whose responses hold nothing personal or
// secret and may be cached: static files, health checks, public documents and
// results. Every other response is "Cache-Control: no-store", so ballot links,
// receipts, credentials, sign-in and staff pages stay out of browser and proxy
// caches (a new route is private unless it is added here).
var cacheablePrefixes = []string{"/static/", "/healthz", "/readyz", "/docs/", "/api/v1/openapi.yaml", "/public/", "/verify"}

// SecurityHeaders sets the response headers every route shares: no MIME sniffing,
// no framing, no referrer (ballot links are secrets in the URL), HSTS when secure
// is true, the Content-Security-Policy on HTML responses and no-store caching on
// everything but cacheablePrefixes. Handlers that set their own Cache-Control
// (file downloads, static files) keep theirs unless the path is private.
func SecurityHeaders(secure bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderXFrameOptions, "DENY")
		c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
		if secure {
			c.Set(fiber.HeaderStrictTransportSecurity, HSTS)
		}
		// Set before the handler runs, so that the error handler's page (rendered
		// after this returns) has it too; taken off a successful response that is
		// not HTML (JSON, PDF, files), where a page policy has nothing to guard.
		c.Set(fiber.HeaderContentSecurityPolicy, ContentSecurityPolicy)
		err := c.Next()
		if !cacheable(c.Path()) {
			c.Set(fiber.HeaderCacheControl, "no-store")
		}
		if err == nil && !strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMETextHTML) {
			c.Response().Header.Del(fiber.HeaderContentSecurityPolicy)
		}
		return err
	}
}

func cacheable(path string) bool {
	for _, p := range cacheablePrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
