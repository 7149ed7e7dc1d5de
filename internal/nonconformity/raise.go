package nonconformity

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// Sources of a nonconformity.
const (
	SourceAudit      = "audit"
	SourceIncident   = "incident"
	SourceConcern    = "concern"
	SourceReview     = "review"
	SourceMonitoring = "monitoring"
	SourceOther      = "other"
)

// Nonconformity is a failure to fulfil a requirement, with its handling.
type Nonconformity struct {
	ID        string    `json:"id"`
	Ref       string    `json:"ref" doc:"Short reference such as NC-4."`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	SourceRef string    `json:"source_ref"`
	Severity  string    `json:"severity"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateRequest raises a nonconformity.
type CreateRequest struct {
	Title       string `json:"title" minLength:"1" maxLength:"200"`
	Description string `json:"description,omitempty" maxLength:"10000"`
	// Source says where it was found: audit, incident, concern, review, monitoring or other.
	Source string `json:"source" enum:"audit,incident,concern,review,monitoring,other"`
	// SourceRef names the record it came from, such as IA-2/F3 or INC-4.
	SourceRef string `json:"source_ref,omitempty" maxLength:"100"`
	// Severity is minor or major.
	Severity string `json:"severity" enum:"minor,major"`
	// Clauses and Controls name the requirements not fulfilled, such as 7.2 or A.6.2.4.
	Clauses  []string `json:"clauses,omitempty"`
	Controls []string `json:"controls,omitempty"`
	// Systems name the AI systems concerned, by reference or id.
	Systems []string `json:"systems,omitempty"`
	// OwnerID is the member responsible for handling it; empty for the one who raises it.
	OwnerID string `json:"owner_id,omitempty"`
}

// Create raises a nonconformity with its audit event.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Nonconformity, error) {
	var nc *Nonconformity
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		nc, err = s.CreateTx(ctx, tx, actor, req)
		return err
	})
	return nc, err
}

// CreateTx raises a nonconformity within tx, so that the record it comes
// from (an audit finding, an incident) and the nonconformity are stored together.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Nonconformity, error) {
	return nil, aims.Errorf(aims.CodeInternal, "raising nonconformities is not built yet")
}
