package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
)

// codecRoles may have sealed payloads opened through the codec server: the
// company's administrators, who operate Temporal. Everyone else reads a
// process through the service's own pages.
var codecRoles = []models.Role{models.RoleCompanyAdmin}

// CodecPath is where the codec server answers: Temporal's remote codec
// protocol, POST {CodecPath}/encode and {CodecPath}/decode.
const CodecPath = "/codec"

// registerCodec serves h, the payload codec's HTTP handler, to signed-in
// administrators, so that the Temporal Web UI and CLI can show sealed
// payloads to them. The Web UI calls it from its own origin with the
// staff's session cookie: that origin (the configured Temporal UI URL) is
// allowed by CORS and counts as this site's own.
func (s *Server) registerCodec(e *gin.Engine, h http.Handler) {
	uiOrigin := origin(s.temporalUI)
	cors := func(c *gin.Context) {
		if o := c.GetHeader("Origin"); o != "" && o == uiOrigin {
			c.Header("Access-Control-Allow-Origin", o)
			c.Header("Access-Control-Allow-Credentials", "true")
			c.Header("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			c.Header("Access-Control-Allow-Methods", "POST, OPTIONS")
			c.Header("Vary", "Origin")
			// The UI's origin is trusted here like this site's own.
			c.Request.Header.Del("Origin")
			c.Request.Header.Del("Sec-Fetch-Site")
		}
		if c.Request.Method == http.MethodOptions {
			c.AbortWithStatus(http.StatusNoContent)
		}
	}
	serve := func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
	for _, op := range []string{"/encode", "/decode"} {
		e.OPTIONS(CodecPath+op, cors)
		e.POST(CodecPath+op, cors, s.authenticate(route{method: http.MethodPost, path: CodecPath + op, roles: codecRoles}), serve)
	}
}

// origin is the scheme://host of u, "" when u is not an absolute URL.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}
