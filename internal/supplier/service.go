// Package supplier keeps the organisation's third parties and resources
// (ISO/IEC 42001 A.4, A.10): suppliers and customers, what each provides to
// which AI system, their assessments with due dates, who is responsible,
// accountable, consulted and informed at each life-cycle stage of a
// system, and the resources (data, tooling, computing, people and their
// competences) that systems rely on. It also exports and imports a
// system's AI bill of materials, written and read by package aibom.
package supplier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log. A supply's reference is its party's and
// its number (TP-1/S2), an assessment's likewise (TP-1/A1), and a
// responsibility matrix's that of its AI system.
const (
	ObjectParty      = "third_party"
	ObjectSupply     = "supply"
	ObjectAssessment = "supplier_assessment"
	ObjectRACI       = "raci"
	ObjectResource   = "resource"
)

// Audit actions.
const (
	ActionPartyCreate    = "third_party.create"
	ActionPartyUpdate    = "third_party.update"
	ActionPartyArchive   = "third_party.archive"
	ActionPartyRestore   = "third_party.restore"
	ActionSupplyAdd      = "supply.create"
	ActionSupplyUpdate   = "supply.update"
	ActionSupplyRemove   = "supply.remove"
	ActionAssess         = "supplier_assessment.create"
	ActionRACISet        = "raci.set"
	ActionResourceCreate = "resource.create"
	ActionResourceUpdate = "resource.update"
	ActionResourceArch   = "resource.archive"
	ActionResourceRest   = "resource.restore"
)

// Reference prefixes.
const (
	partyPrefix    = "TP"
	resourcePrefix = "RES"
)

// SystemInfo is what third parties and resources need of an AI system.
type SystemInfo struct {
	ID          string
	Ref         string
	Name        string
	Purpose     string
	Description string
	Status      string
}

// ItemInfo names a model or data set.
type ItemInfo struct {
	ID   string
	Ref  string
	Name string
	// SystemID is the AI system a model belongs to; empty for data sets.
	SystemID string
	Status   string
}

// Member is a member of the organisation.
type Member struct {
	UserID string
	Name   string
	Email  string
}

// Sources are the records of other capabilities that third parties,
// resources and the AI bill of materials refer to; app satisfies it. Each
// method reads or writes as the actor, in the actor's organisation.
type Sources interface {
	// System resolves an AI system by id or reference (SYS-1).
	System(ctx context.Context, actor *aims.Actor, idOrRef string) (*SystemInfo, error)
	// Members lists the organisation's members.
	Members(ctx context.Context, actor *aims.Actor) ([]Member, error)
	// Model resolves a model by id or reference (MDL-3).
	Model(ctx context.Context, actor *aims.Actor, idOrRef string) (*ItemInfo, error)
	// Dataset resolves a data set by id or reference (DS-3).
	Dataset(ctx context.Context, actor *aims.Actor, idOrRef string) (*ItemInfo, error)
	BOMSources
}

// BOMSources read and register the models and data sets of an AI bill of materials.
type BOMSources interface {
	// SystemModels lists the models of a system (archived ones too when all
	// is true) with every version, oldest first.
	SystemModels(ctx context.Context, actor *aims.Actor, systemID string, all bool) ([]aibom.Model, error)
	// SystemDatasets lists the versions of the data sets a system uses, those
	// that keys name, and every version they were derived from.
	SystemDatasets(ctx context.Context, actor *aims.Actor, systemID string, keys []string) ([]aibom.DatasetVersion, error)
	// FindDataset returns the versions of the data set with the name (ignoring
	// case), each with DatasetRef, Key, Number and Label; none when there is no such data set.
	FindDataset(ctx context.Context, actor *aims.Actor, name string) (ref string, versions []aibom.DatasetVersion, err error)
	// The methods below create within the import's transaction tx, each
	// record with its audit event, and read what tx created before.

	// CreateModel registers a model of a system.
	CreateModel(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID string, m aibom.Model) (*ItemInfo, error)
	// CreateModelVersion registers a candidate version with its card and
	// data set versions (by key), records its evaluation results, and returns its key.
	CreateModelVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, modelRef string, v aibom.ModelVersion) (string, error)
	// CreateDataset registers a data set used by a system.
	CreateDataset(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID string, d aibom.DatasetVersion) (*ItemInfo, error)
	// AddDatasetVersion records the next version of a data set, derived from
	// the versions its DerivedFrom keys name, and returns its key.
	AddDatasetVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, datasetRef string, v aibom.DatasetVersion) (string, error)
}

// Service manages third parties and resources.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the third-party and resource service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// Statuses of third parties and resources.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxName     = 200
	maxText     = 2000
	maxLongText = 10000
	maxItem     = 100
	maxItems    = 50
	maxSystems  = 100
)

// text trims a text field and records what is wrong with it.
func text(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// checkEmail trims an optional email address and records a problem when it is not one.
func checkEmail(p *aims.Problems, field string, v *string) {
	text(p, field, v, false, maxName)
	if *v == "" || p.Has(field) {
		return
	}
	if a, err := mail.ParseAddress(*v); err != nil || a.Address != *v {
		p.Add(field, "must be an email address such as name@example.org")
	}
}

// checkWeb trims an optional web address and records a problem when it is not http or https.
func checkWeb(p *aims.Problems, field string, v *string) {
	text(p, field, v, false, maxText)
	if *v == "" || p.Has(field) {
		return
	}
	u, err := url.Parse(*v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add(field, "must be a web address starting with https:// or http://")
	}
}

// checkDate trims an optional date and records a problem when it is not YYYY-MM-DD.
func checkDate(p *aims.Problems, field string, v *string) (time.Time, bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, *v)
	if err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// list trims a list of short texts, drops blank and repeated ones (ignoring
// case) and records a problem when one is too long or there are too many.
func list(p *aims.Problems, field string, in []string, maxLen, max int) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		if utf8.RuneCountInString(s) > maxLen && !p.Has(field) {
			p.Add(field, "must each be at most %d characters", maxLen)
		}
		out = append(out, s)
	}
	if len(out) > max && !p.Has(field) {
		p.Add(field, "must list at most %d", max)
	}
	return out
}

// nameKey is the form of a name used to keep names unique in an organisation.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mustJSON encodes values that always encode: strings and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// resolveSystem finds a system for a field, recording a problem when there is none.
func (s *Service) resolveSystem(ctx context.Context, actor *aims.Actor, field, ref string, p *aims.Problems) (*SystemInfo, error) {
	sys, err := s.sources.System(ctx, actor, ref)
	if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
		p.Add(field, "names %s, which is not an AI system of this organisation", ref)
		return nil, nil
	}
	return sys, err
}

// systemNames caches the systems a read names, by id.
type systemNames struct {
	s     *Service
	actor *aims.Actor
	by    map[string]*SystemInfo
}

func (s *Service) systemNames(actor *aims.Actor) *systemNames {
	return &systemNames{s: s, actor: actor, by: map[string]*SystemInfo{}}
}

// get returns the system with the id; a system that no longer resolves is shown by its id.
func (n *systemNames) get(ctx context.Context, id string) (*SystemInfo, error) {
	if sys, ok := n.by[id]; ok {
		return sys, nil
	}
	sys, err := n.s.sources.System(ctx, n.actor, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		sys, err = &SystemInfo{ID: id, Ref: id, Name: "(unknown system)"}, nil
	}
	if err != nil {
		return nil, err
	}
	n.by[id] = sys
	return sys, nil
}
