package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Compress compresses a response the client accepts compressed (brotli, gzip or
// deflate, by Accept-Encoding) when it is text, JSON, SVG or another compressible
// type of at least 200 bytes (fasthttp's threshold). Bodies already compressed —
// PDF, XLSX/ZIP, PNG and other raster images — go out as they are: compressing
// them again costs CPU and saves nothing. A streamed body (c.SendStream) stays
// streamed: fasthttp wraps the stream in the compressor, flushing as it goes.
// Error pages rendered by the error handler after the chain returns are not
// compressed (they are small).
//
// BREACH: a compressed response that holds a secret of the caller (the session's
// CSRF token, ballot links on the credentials page, an API token's answers) next to
// text an attacker can steer (search terms echoed in paging links) leaks the secret
// through the response's size to anyone who can watch the traffic and make the
// victim's browser load the page. So HTML and JSON answered to a caller with a
// session, a bearer token or a CSRF token (signed-in staff, the anonymous forms) go
// out uncompressed; static files and public pages without a form are compressed.
// The heavy staff pages are kept light by paging instead (50 rows a page).
func Compress() fiber.Handler {
	compressor := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		ct := string(c.Response().Header.ContentType())
		if !Compressible(ct) || (carriesSecrets(ct) && callerHasSecrets(c)) {
			return nil
		}
		compressor(c.Context())
		return nil
	}
}

// alreadyCompressed are content types whose bodies are compressed formats.
var alreadyCompressed = []string{
	"application/pdf",
	"application/zip",
	"application/gzip",
	"application/x-gzip",
	"application/vnd.openxmlformats-",
	"application/octet-stream",
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"font/woff", // woff and woff2
}

// Compressible tells whether Compress compresses a body of this content type.
func Compressible(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if ct == "" || strings.HasPrefix(ct, "text/event-stream") {
		return false
	}
	for _, p := range alreadyCompressed {
		if strings.HasPrefix(ct, p) {
			return false
		}
	}
	return true
}

// carriesSecrets: the content types a page or an API answer with a caller's
// secrets comes in.
func carriesSecrets(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/json")
}

// callerHasSecrets: the request carries a session cookie or a bearer token, or the
// page rendered a CSRF token.
func callerHasSecrets(c *fiber.Ctx) bool {
	if _, ok := c.Locals(LocalCSRF).(string); ok {
		return true
	}
	if len(c.Request().Header.Peek(fiber.HeaderAuthorization)) > 0 {
		return true
	}
	return len(c.Request().Header.Peek(fiber.HeaderCookie)) > 0
}
