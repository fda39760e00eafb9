package httpx

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app/documents"
	"gongzhi/models"
)

// SendDocument writes a stored document byte-identical as application/pdf with its
// SHA-256 as the ETag (a matching If-None-Match gets 304) and its number in
// X-Document-Number. Notice batches carry ballot links and are never cached.
func SendDocument(c *fiber.Ctx, f documents.File) error {
	etag := `"` + f.SHA256 + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set("X-Document-Number", f.Number)
	c.Set("X-Document-SHA256", f.SHA256)
	if f.Kind == models.DocNotices {
		c.Set(fiber.HeaderCacheControl, "no-store")
	} else {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
	}
	for _, tag := range strings.Split(c.Get(fiber.HeaderIfNoneMatch), ",") {
		if t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tag), "W/")); t == etag || t == "*" {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, f.Filename()))
	return c.Send(f.Data)
}
