// Package evidence keeps what shows that a control or clause is met: files
// stored by their SHA-256 and never overwritten, links and written notes,
// each valid for a period and linked to controls, clauses and AI systems.
package evidence

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Targets tells whether the things evidence links to exist; app satisfies
// it with the catalogue and the AI system inventory.
type Targets interface {
	// ControlExists reports whether id names an Annex A control or one of the organisation's own.
	ControlExists(ctx context.Context, orgID, id string) (bool, error)
	// ClauseExists reports whether id names a sub-clause of clauses 4–10.
	ClauseExists(id string) bool
	// System resolves an AI system's id or reference to its id and reference, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref string, err error)
}

// Service manages an organisation's evidence.
type Service struct {
	db       *db.DB
	logs     *tlog.Logs
	clock    aims.Clock
	dir      string
	maxBytes int64
	targets  Targets
	store    *store
}

// New returns the evidence service; files are kept under dir and may be at
// most maxBytes long.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, dir string, maxBytes int64, targets Targets) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, dir: dir, maxBytes: maxBytes, targets: targets,
		store: &store{dir: dir, maxBytes: maxBytes}}
}

// RemoveStaleUploads deletes the leftovers of uploads a crash interrupted;
// a background job runs it.
func (s *Service) RemoveStaleUploads(ctx context.Context) error {
	n, err := s.store.removeStale(s.clock())
	if n > 0 {
		slog.Info("removed interrupted evidence uploads", "count", n)
	}
	return err
}

// MaxBytes is the largest file the service accepts; interfaces size their
// request limits by it.
func (s *Service) MaxBytes() int64 { return s.maxBytes }

// Ref names a piece of evidence.
type Ref struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// ObjectType names evidence in the audit log.
const ObjectType = "evidence"

// The audit actions of evidence.
const (
	ActionAdd     = "evidence.add"
	ActionUpdate  = "evidence.update"
	ActionArchive = "evidence.archive"
	ActionRestore = "evidence.restore"
)

// refPrefix starts every evidence reference.
const refPrefix = "EV"

// Kinds of evidence.
const (
	KindFile = "file"
	KindLink = "link"
	KindNote = "note"
)

// Statuses of evidence.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Kinds of thing evidence links to.
const (
	TargetControl  = "control"
	TargetClause   = "clause"
	TargetAISystem = "ai_system"
)

// Validity of evidence on a day, computed from its status and dates.
const (
	ValidityCurrent  = "current"       // active, and the day is within its dates
	ValidityExpiring = "expiring"      // current, and it ends within ExpiringDays
	ValidityExpired  = "expired"       // active, and its last day has passed
	ValidityNotYet   = "not_yet_valid" // active, and its first day is still to come
	ValidityArchived = "archived"      // archived: no longer counts
)

// ExpiringDays is how many days ahead evidence counts as expiring soon.
const ExpiringDays = 30

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// Kinds lists the kinds of evidence.
var Kinds = []Option{
	{KindFile, "File", "a document, export, screenshot or record, uploaded and kept by its SHA-256"},
	{KindLink, "Link", "a page kept elsewhere, such as a ticket, wiki page or repository"},
	{KindNote, "Note", "a written record, such as a description of what was observed"},
}

// TargetTypes lists what evidence links to.
var TargetTypes = []Option{
	{TargetControl, "Control", "an Annex A control such as A.6.2.4, or one of your own such as CTL-2"},
	{TargetClause, "Clause", "a sub-clause of clauses 4–10 such as 6.1.3"},
	{TargetAISystem, "AI system", "an AI system by reference such as SYS-3"},
}

// Validities lists the validity states, for filters and badges.
var Validities = []Option{
	{ValidityCurrent, "Current", "valid today"},
	{ValidityExpiring, "Expiring soon", "valid today, ends within 30 days"},
	{ValidityExpired, "Expired", "its last valid day has passed"},
	{ValidityNotYet, "Not yet valid", "its first valid day is still to come"},
	{ValidityArchived, "Archived", "archived evidence no longer counts"},
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

// Evidence is one piece of evidence: a file, a link or a note.
type Evidence struct {
	ID          string         `json:"id"`
	Ref         string         `json:"ref" doc:"Short reference such as EV-3."`
	Kind        string         `json:"kind" enum:"file,link,note"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	URL         string         `json:"url" doc:"The page the evidence is kept at, for a link; empty otherwise."`
	Note        string         `json:"note" doc:"The written record, for a note; empty otherwise."`
	FileSHA256  string         `json:"file_sha256" doc:"SHA-256 of the file in lower-case hex, for a file; every download is checked against it."`
	FileName    string         `json:"file_name" doc:"The file's name as uploaded, without folders."`
	FileSize    int64          `json:"file_size" doc:"The file's size in bytes."`
	ContentType string         `json:"content_type" doc:"The media type the file is served with."`
	ValidFrom   string         `json:"valid_from" doc:"First day the evidence is valid (YYYY-MM-DD); empty when valid since it was added."`
	ValidUntil  string         `json:"valid_until" doc:"Last day the evidence is valid (YYYY-MM-DD); empty when it does not expire."`
	Validity    string         `json:"validity" enum:"current,expiring,expired,not_yet_valid,archived" doc:"Computed today (UTC) from the status and the dates; expiring means current and ending within 30 days."`
	Links       []EvidenceLink `json:"links" doc:"The controls, clauses and AI systems the evidence supports."`
	AddedBy     string         `json:"added_by" doc:"User id of the person who added the evidence."`
	AddedByName string         `json:"added_by_name" doc:"Name of the person who added it, for display."`
	Status      string         `json:"status" enum:"active,archived"`
	Version     int            `json:"version" doc:"Increases with every change; send it back when updating."`

	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ArchivedAt *time.Time `json:"archived_at"`
}

// EvidenceLink is something a piece of evidence supports.
type EvidenceLink struct {
	Type string `json:"type" enum:"control,clause,ai_system"`
	// ID is what is stored: the control's or clause's id, or the AI system's id.
	ID  string `json:"id" doc:"The control id (A.6.2.4 or CTL-2), the clause id (6.1.3) or the AI system's id."`
	Ref string `json:"ref" doc:"What people call it: the control or clause id, or the AI system's reference such as SYS-3."`
	// Title is the AI system's name; controls and clauses are named by the catalogue.
	Title string `json:"title,omitempty" doc:"The AI system's name."`
}

// String is the link as requests write it, with the reference people know: control:A.6.2.4, ai_system:SYS-3.
func (l EvidenceLink) String() string { return l.Type + ":" + l.Ref }

// AddRequest describes new evidence. Kind decides which of URL, Note and
// File is required; the others must be empty.
type AddRequest struct {
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	URL         string   `json:"url,omitempty"`
	Note        string   `json:"note,omitempty"`
	ValidFrom   string   `json:"valid_from,omitempty"`
	ValidUntil  string   `json:"valid_until,omitempty"`
	Links       []string `json:"links,omitempty"`
	// File is read to its end for kind file; the caller closes it.
	File io.Reader `json:"-"`
	// FileName is the name the file had where it came from; only its base name is kept.
	FileName string `json:"-"`
}

// EvidenceUpdateRequest changes the fields it names. The evidence itself (its file,
// URL or note) never changes: add new evidence and archive the old instead.
// Version must be the version the change was based on.
type EvidenceUpdateRequest struct {
	Version     int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title       *string   `json:"title,omitempty" maxLength:"200"`
	Description *string   `json:"description,omitempty" maxLength:"4000"`
	ValidFrom   *string   `json:"valid_from,omitempty" doc:"YYYY-MM-DD, or empty for no start."`
	ValidUntil  *string   `json:"valid_until,omitempty" doc:"YYYY-MM-DD, or empty for no end."`
	Links       *[]string `json:"links,omitempty" maxItems:"200" doc:"The complete new set of links, such as control:A.6.2.4, clause:6.1.3, ai_system:SYS-1."`
}

// ErrFileTooLarge marks an upload refused because the file is over the
// service's limit; the API answers it with 413.
var ErrFileTooLarge = errors.New("evidence file too large")

// ErrFileDamaged marks a stored file whose bytes no longer match the
// SHA-256 recorded when it was added, or which is missing.
var ErrFileDamaged = errors.New("stored evidence file is damaged")
