package web

import (
	"strings"

	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/review"
)

// managementLinks give, by audit object type, the page of a management
// system record from its reference; a part's reference (NC-4/A2) links to
// the page of the record it belongs to.
var managementLinks = map[string]func(ref string) string{
	decision.ObjectLog:             decisionsHref,
	monitor.ObjectMonitor:          whole("/monitors/"),
	monitor.ObjectAlert:            under("/monitors/"),
	monitor.ObjectSettings:         monitoringHref,
	document.ObjectDocument:        under("/documents/"),
	document.ObjectAcknowledgement: under("/documents/"),
	orgcontext.ObjectDraft:         fixed("/context"),
	orgcontext.ObjectVersion:       fixed("/context"),
	people.ObjectRole:              whole("/people/roles/"),
	people.ObjectCompetence:        whole("/people/competences/"),
	people.ObjectCourse:            whole("/people/courses/"),
	people.ObjectRecord:            whole("/people/training/"),
	concern.ObjectConcern:          whole("/concerns/"),
	objective.ObjectObjective:      whole("/objectives/"),
	objective.ObjectIndicator:      under("/objectives/"),
	objective.ObjectMeasurement:    under("/objectives/"),
	incident.ObjectIncident:        whole("/incidents/"),
	incident.ObjectNotification:    under("/incidents/"),
	nonconformity.ObjectNC:         whole("/nonconformities/"),
	nonconformity.ObjectAction:     under("/nonconformities/"),
	nonconformity.ObjectCheck:      under("/nonconformities/"),
	internalaudit.ObjectAudit:      whole("/internal-audits/"),
	internalaudit.ObjectItem:       under("/internal-audits/"),
	internalaudit.ObjectProgramme:  fixed("/internal-audits"),
	review.ObjectReview:            whole("/reviews/"),
	review.ObjectDecision:          under("/reviews/"),
	review.ObjectAction:            under("/reviews/"),
}

// whole links to prefix followed by the reference.
func whole(prefix string) func(string) string { return func(ref string) string { return prefix + ref } }

// under links to prefix followed by the reference's first part, before a slash, space or @.
func under(prefix string) func(string) string {
	return func(ref string) string {
		if i := strings.IndexAny(ref, "/ @"); i > 0 {
			ref = ref[:i]
		}
		return prefix + ref
	}
}

// fixed links to one page whatever the reference.
func fixed(path string) func(string) string { return func(string) string { return path } }
