// Package job runs aims' background work: signing checkpoints of grown logs
// and removing expired sessions.
package job

import (
	"context"
	"log/slog"
	"time"
)

// Every runs fn at each interval until ctx ends. A failure is logged and the
// next tick tries again; fn must be safe to run on several replicas at once.
func Every(ctx context.Context, name string, interval time.Duration, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				slog.Error("background job failed", "job", name, "err", err)
			}
		}
	}
}
