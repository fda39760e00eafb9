package httpx

import (
	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/access"
)

// Allow refuses, before the handler reads the request, a signed-in caller whose role
// may take none of the actions (app/access); the service checks the same policy again,
// with the jurisdiction, when it runs. A refused role therefore gets 403 whatever body it
// sent, never a validation or state error that would tell it about the object. Routes
// behind it sit behind the sign-in middleware, which answers the anonymous caller first.
func Allow(actions ...access.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, ok := Principal(c)
		if !ok {
			return app.Errorf(app.EUnauthorized, "请先登录")
		}
		if err := access.RequireAny(p, actions...); err != nil {
			return err
		}
		return c.Next()
	}
}
