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
func Compress() fiber.Handler {
	compressor := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		if !Compressible(string(c.Response().Header.ContentType())) {
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
