package notify

import (
	"context"
	"log/slog"
)

// LogChannel "delivers" messages by logging them at info: the default when no
// gateway is configured, and for development. A resident's address is logged
// masked.
type LogChannel struct {
	Log *slog.Logger // nil means slog.Default()
}

// Name returns ChannelLog.
func (LogChannel) Name() string { return ChannelLog }

// Send logs out.
func (c LogChannel) Send(ctx context.Context, out Outgoing) error {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "message",
		"key", out.Key,
		"recipient_kind", out.RecipientKind,
		"to", displayAddress(out),
		"template", out.Template,
		"subject", out.Subject,
		"body", out.Body)
	return nil
}
