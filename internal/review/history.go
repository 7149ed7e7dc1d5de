package review

import (
	"sort"

	"github.com/aims-dev/aims/internal/tlog"
)

// sortNewestFirst orders audit events by their position in the log, the latest first.
func sortNewestFirst(evs []tlog.Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
}
