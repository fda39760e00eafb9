// Package docs embeds the project's documentation that the server serves: the
// OpenAPI description of the JSON API.
package docs

import _ "embed"

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3 description of /api/v1.
func OpenAPI() []byte { return openAPI }
