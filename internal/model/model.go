package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Model is a model of an AI system, such as a credit-scoring classifier,
// whose versions are trained, evaluated, approved and deployed.
type Model struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Short reference such as MDL-3."`
	SystemID    string `json:"system_id" doc:"The AI system the model belongs to."`
	SystemRef   string `json:"system_ref" doc:"The system's reference, such as SYS-1."`
	SystemName  string `json:"system_name"`
	Name        string `json:"name" doc:"Unique among the system's models, ignoring case."`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id" doc:"User id of the accountable owner; empty when none."`
	OwnerName   string `json:"owner_name" doc:"Name of the owner, for display."`
	Status      string `json:"status" enum:"active,archived"`
	// VersionCount and LatestLabel sum up the model's versions.
	VersionCount int    `json:"version_count" doc:"How many versions the model has."`
	LatestLabel  string `json:"latest_label" doc:"The label of the newest version; empty when none."`
	// Deployed lists, by environment, the version deployed there now.
	Deployed   []Placement `json:"deployed" doc:"The version deployed in each environment now."`
	Version    int         `json:"version" doc:"Increases with every change to the model's own fields; send it back when updating."`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	ArchivedAt *time.Time  `json:"archived_at"`
}

// Placement is a version deployed in an environment.
type Placement struct {
	Environment string `json:"environment"`
	Label       string `json:"label"`
	Key         string `json:"key" doc:"The version's key, such as MDL-1@1.4.0."`
}

// Statuses of a model.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Field limits, in characters.
const (
	maxName     = 200
	maxText     = 4000
	maxLongText = 10000
	maxNote     = 2000
)

// CreateRequest registers a model of an AI system.
type CreateRequest struct {
	System      string `json:"system" minLength:"1" doc:"The AI system's reference (SYS-1) or id."`
	Name        string `json:"name" minLength:"1" maxLength:"200" doc:"Name of the model, unique among the system's models."`
	Description string `json:"description,omitempty" maxLength:"10000" doc:"What the model does and how it is built."`
	OwnerID     string `json:"owner_id,omitempty" doc:"User id of the accountable owner, a member of the organisation."`
}

// UpdateRequest changes the fields it names. Version must be the version the
// change was based on; if someone else changed the model since, the update
// is refused rather than overwriting their work.
type UpdateRequest struct {
	Version     int     `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name        *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Description *string `json:"description,omitempty" maxLength:"10000"`
	OwnerID     *string `json:"owner_id,omitempty" doc:"User id of the owner; empty to clear."`
}

// modelFields are the model's own fields as the audit log records them.
type modelFields struct {
	System      string `json:"system"`
	Name        string `json:"name"`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id"`
}

// fields are the model's own fields for the audit log.
func (m *Model) fields() modelFields {
	return modelFields{System: m.SystemRef, Name: m.Name, Description: m.Description, OwnerID: m.OwnerID}
}

// normalise trims the model's fields and records every problem with them.
func (m *Model) normalise(p *aims.Problems) {
	checkText(p, "name", &m.Name, true, maxName)
	m.Name = strings.Join(strings.Fields(m.Name), " ")
	checkText(p, "description", &m.Description, false, maxLongText)
	m.OwnerID = strings.ToLower(strings.TrimSpace(m.OwnerID))
	if m.OwnerID != "" && !aims.ValidID(m.OwnerID) {
		p.Add("owner_id", "is not a user id")
	}
}

// searchText is what a search matches: reference, name and description, in lower case.
func (m *Model) searchText() string {
	return strings.ToLower(strings.Join([]string{m.Ref, m.Name, m.Description}, "\n"))
}

// checkText trims a text and records what is wrong with it.
func checkText(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case !utf8.ValidString(*v):
		p.Add(field, "must be UTF-8 text")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// nameKey is the form of a name used to keep names unique.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mustJSON encodes values that always encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// staleVersion refuses a change based on an outdated version of what.
func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again",
		what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// nameTaken refuses a second model of the same name in one system.
func nameTaken(systemRef string) error {
	return &aims.Error{Code: aims.CodeConflict, Message: "name in use",
		Fields: []aims.FieldError{{Field: "name", Message: "is already the name of another model of " + systemRef}}}
}
