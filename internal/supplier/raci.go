package supplier

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Stages are the stages of an AI system's life cycle, as the AI system
// inventory names them (aisystem.LifecycleStages; a test keeps them equal).
var Stages = []Option{
	{"inception", "Inception", "need, objectives and feasibility"},
	{"design_and_development", "Design and development", "data, models and the system are built"},
	{"verification_and_validation", "Verification and validation", "tested against its requirements"},
	{"deployment", "Deployment", "installed and released into its environment"},
	{"operation_and_monitoring", "Operation and monitoring", "in use and watched"},
	{"re_evaluation", "Re-evaluation", "reassessed after change or drift"},
	{"retirement", "Retirement", "withdrawn from use"},
}

// RACIRoles are the four kinds of responsibility of a responsibility matrix.
var RACIRoles = []Option{
	{"responsible", "Responsible", "does the work"},
	{"accountable", "Accountable", "answers for the outcome; exactly one at each stage"},
	{"consulted", "Consulted", "gives input before decisions"},
	{"informed", "Informed", "is told of decisions and results"},
}

// Kinds of party in a responsibility matrix.
const (
	PartyMember     = "member"
	PartyThirdParty = "third_party"
)

// Assignee is a member or a third party with a responsibility.
type Assignee struct {
	Kind string `json:"kind" enum:"member,third_party"`
	ID   string `json:"id" doc:"The member's user id or the third party's id."`
	Ref  string `json:"ref" doc:"The member's email or the third party's reference (TP-2)."`
	Name string `json:"name"`
	// Current is false for a member who has left or an archived third party.
	Current bool `json:"current" doc:"False for a member who has left the organisation or an archived third party."`
}

// RACIStage is who is responsible, accountable, consulted and informed at one stage.
type RACIStage struct {
	Stage       string     `json:"stage"`
	Responsible []Assignee `json:"responsible"`
	Accountable []Assignee `json:"accountable" doc:"Exactly one when anyone is named at the stage."`
	Consulted   []Assignee `json:"consulted"`
	Informed    []Assignee `json:"informed"`
}

// Empty reports whether nobody is named at the stage.
func (s RACIStage) Empty() bool {
	return len(s.Responsible)+len(s.Accountable)+len(s.Consulted)+len(s.Informed) == 0
}

// Role returns the assignees of a role of the stage.
func (s *RACIStage) Role(role string) *[]Assignee {
	switch role {
	case "responsible":
		return &s.Responsible
	case "accountable":
		return &s.Accountable
	case "consulted":
		return &s.Consulted
	}
	return &s.Informed
}

// RACIMatrix is the responsibility matrix of an AI system (A.10.2): for every
// life-cycle stage, in order, who does what.
type RACIMatrix struct {
	SystemID   string      `json:"system_id"`
	SystemRef  string      `json:"system_ref"`
	SystemName string      `json:"system_name"`
	Version    int         `json:"version" doc:"0 until anything is set; send it back when setting a stage."`
	Stages     []RACIStage `json:"stages"`
	UpdatedAt  *time.Time  `json:"updated_at"`
}

// Stage returns the stage's row of the matrix.
func (m *RACIMatrix) Stage(stage string) *RACIStage {
	for i := range m.Stages {
		if m.Stages[i].Stage == stage {
			return &m.Stages[i]
		}
	}
	return nil
}

// RACIRequest sets who is responsible, accountable, consulted and informed
// at one stage; each names members (user id or email) and third parties
// (TP-2). Everything empty clears the stage.
type RACIRequest struct {
	Version     int      `json:"version" minimum:"0" doc:"The matrix's version this change is based on; 0 for a matrix never set."`
	Responsible []string `json:"responsible,omitempty" maxItems:"50"`
	Accountable []string `json:"accountable,omitempty" maxItems:"50" doc:"Exactly one when anyone is named at the stage."`
	Consulted   []string `json:"consulted,omitempty" maxItems:"50"`
	Informed    []string `json:"informed,omitempty" maxItems:"50"`
}

func (r RACIRequest) role(role string) []string {
	switch role {
	case "responsible":
		return r.Responsible
	case "accountable":
		return r.Accountable
	case "consulted":
		return r.Consulted
	}
	return r.Informed
}

var tpPattern = regexp.MustCompile(`(?i)^TP-[0-9]+$`)

// partyIndex holds the organisation's members and third parties, to resolve and name assignees.
type partyIndex struct {
	members []Member
	parties map[string]Assignee // by id
	byRef   map[string]Assignee // by upper-case reference
}

// partyIndex reads the organisation's third parties with q; ms are its members.
func (s *Service) partyIndex(ctx context.Context, q db.Queryer, actor *aims.Actor, ms []Member) (*partyIndex, error) {
	ix := &partyIndex{members: ms, parties: map[string]Assignee{}, byRef: map[string]Assignee{}}
	rows, err := q.QueryContext(ctx, `SELECT id, ref, name, status FROM third_parties WHERE org_id = ?`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a Assignee
		var status string
		if err := rows.Scan(&a.ID, &a.Ref, &a.Name, &status); err != nil {
			return nil, err
		}
		a.Kind, a.Current = PartyThirdParty, status == StatusActive
		ix.parties[a.ID], ix.byRef[strings.ToUpper(a.Ref)] = a, a
	}
	return ix, rows.Err()
}

// stored names a stored assignee; one that is gone is named by its id.
func (ix *partyIndex) stored(kind, id string) Assignee {
	if kind == PartyThirdParty {
		if a, ok := ix.parties[id]; ok {
			return a
		}
		return Assignee{Kind: kind, ID: id, Ref: id, Name: "(unknown third party)"}
	}
	if m, ok := findMember(ix.members, id); ok {
		return Assignee{Kind: kind, ID: m.UserID, Ref: m.Email, Name: m.Name, Current: true}
	}
	return Assignee{Kind: kind, ID: id, Ref: id, Name: "(former member)"}
}

// RACI returns the responsibility matrix of an AI system.
func (s *Service) RACI(ctx context.Context, actor *aims.Actor, systemRef string) (*RACIMatrix, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	ms, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.readMatrix(ctx, s.db, actor, sys, ms)
}

// readMatrix reads a system's matrix with q, naming members from ms.
func (s *Service) readMatrix(ctx context.Context, q db.Queryer, actor *aims.Actor, sys *SystemInfo, ms []Member) (*RACIMatrix, error) {
	m := &RACIMatrix{SystemID: sys.ID, SystemRef: sys.Ref, SystemName: sys.Name}
	for _, st := range Stages {
		m.Stages = append(m.Stages, RACIStage{Stage: st.Value, Responsible: []Assignee{}, Accountable: []Assignee{},
			Consulted: []Assignee{}, Informed: []Assignee{}})
	}
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT version, updated_at FROM raci_matrices WHERE org_id = ? AND system_id = ?`,
		actor.OrgID, sys.ID).Scan(&m.Version, &at)
	switch {
	case db.IsNoRows(err):
		return m, nil
	case err != nil:
		return nil, err
	}
	m.UpdatedAt = &at
	ix, err := s.partyIndex(ctx, q, actor, ms)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT stage, role, party_kind, party_id FROM raci_entries WHERE org_id = ? AND system_id = ?
		ORDER BY stage, role, position`, actor.OrgID, sys.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var stage, role, kind, id string
		if err := rows.Scan(&stage, &role, &kind, &id); err != nil {
			return nil, err
		}
		if st := m.Stage(stage); st != nil {
			list := st.Role(role)
			*list = append(*list, ix.stored(kind, id))
		}
	}
	return m, rows.Err()
}

// labels names assignees for the audit log: members by email, third parties by reference.
func labels(as []Assignee) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Ref
	}
	return out
}

// SetStage sets who is responsible, accountable, consulted and informed at
// one life-cycle stage of a system. When anyone is named, exactly one party
// is accountable. A member who has left or an archived third party already
// at the stage may stay; only new assignees must be current.
func (s *Service) SetStage(ctx context.Context, actor *aims.Actor, systemRef, stage string, req RACIRequest) (*RACIMatrix, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	stage = strings.TrimSpace(stage)
	var fieldProblems aims.Problems
	if !allowed(Stages, stage) {
		fieldProblems.Add("stage", "must be one of %s", values(Stages))
		return nil, fieldProblems.Err()
	}
	if sys.Status == StatusArchived {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing its responsibilities", sys.Ref)
	}
	// Members are read before the transaction, which then only reads and writes its own tables.
	ms, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var p aims.Problems
		before, err := s.readMatrix(ctx, tx, actor, sys, ms)
		if err != nil {
			return err
		}
		if req.Version != before.Version {
			return staleVersion("the responsibilities of "+sys.Ref, before.Version, req.Version)
		}
		ix, err := s.partyIndex(ctx, tx, actor, ms)
		if err != nil {
			return err
		}
		old := before.Stage(stage)
		kept := map[string]bool{}
		for _, role := range RACIRoles {
			for _, a := range *old.Role(role.Value) {
				kept[a.Kind+" "+a.ID] = true
			}
		}
		after := RACIStage{Stage: stage}
		for _, role := range RACIRoles {
			list := after.Role(role.Value)
			*list = []Assignee{}
			seen := map[string]bool{}
			for _, key := range req.role(role.Value) {
				if key = strings.TrimSpace(key); key == "" {
					continue
				}
				a, ok := ix.resolve(key, kept)
				if !ok {
					p.Add(role.Value, "names %s, which is neither a current member (user id or email) nor an active third party (TP-2) of this organisation", key)
					continue
				}
				if !seen[a.Kind+" "+a.ID] {
					seen[a.Kind+" "+a.ID] = true
					*list = append(*list, a)
				}
			}
			if len(*list) > maxItems {
				p.Add(role.Value, "must name at most %d parties", maxItems)
			}
		}
		switch n := len(after.Accountable); {
		case n > 1:
			p.Add("accountable", "must name exactly one party: one person or organisation answers for the %s stage", Label(Stages, stage))
		case n == 0 && !after.Empty() && !p.Has("accountable"):
			p.Add("accountable", "is required: name the one party who answers for the %s stage", Label(Stages, stage))
		}
		if err := p.Err(); err != nil {
			return err
		}
		var ch []tlog.Change
		for _, role := range RACIRoles {
			b, a := labels(*old.Role(role.Value)), labels(*after.Role(role.Value))
			if strings.Join(b, "\n") != strings.Join(a, "\n") {
				ch = append(ch, tlog.Change{Field: stage + "." + role.Value, Before: mustJSON(b), After: mustJSON(a)})
			}
		}
		if len(ch) == 0 {
			return nil // nothing changed: no new version, no event
		}
		now := s.clock()
		if before.Version == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO raci_matrices (org_id, system_id, version, updated_at) VALUES (?, ?, 1, ?)`,
				actor.OrgID, sys.ID, now)
			if db.IsUniqueViolation(err) {
				return staleVersion("the responsibilities of "+sys.Ref, 1, req.Version)
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE raci_matrices SET version = version + 1, updated_at = ?
				WHERE org_id = ? AND system_id = ? AND version = ?`, now, actor.OrgID, sys.ID, before.Version)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return staleVersion("the responsibilities of "+sys.Ref, before.Version+1, req.Version)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM raci_entries WHERE org_id = ? AND system_id = ? AND stage = ?`,
			actor.OrgID, sys.ID, stage); err != nil {
			return err
		}
		for _, role := range RACIRoles {
			for i, a := range *after.Role(role.Value) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO raci_entries (org_id, system_id, stage, role, party_kind, party_id, position)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, actor.OrgID, sys.ID, stage, role.Value, a.Kind, a.ID, i+1); err != nil {
					return err
				}
			}
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRACISet, tlog.EventObject{Type: ObjectRACI, ID: sys.ID, Ref: sys.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the responsibilities of %s: %w", sys.Ref, err)
	}
	return s.readMatrix(ctx, s.db, actor, sys, ms)
}

// resolve finds a member (user id or email) or a third party (TP-2); one
// that is no longer current is accepted only when kept holds it.
func (ix *partyIndex) resolve(key string, kept map[string]bool) (Assignee, bool) {
	if tpPattern.MatchString(key) {
		a, ok := ix.byRef[strings.ToUpper(key)]
		return a, ok && (a.Current || kept[a.Kind+" "+a.ID])
	}
	if m, ok := findMember(ix.members, key); ok {
		return Assignee{Kind: PartyMember, ID: m.UserID, Ref: m.Email, Name: m.Name, Current: true}, true
	}
	if a, ok := ix.parties[strings.ToLower(key)]; ok && (a.Current || kept[a.Kind+" "+a.ID]) {
		return a, true
	}
	if id := strings.ToLower(key); kept[PartyMember+" "+id] {
		return ix.stored(PartyMember, id), true
	}
	return Assignee{}, false
}

// RACIHistory returns the audit events about a system's responsibility matrix, newest first.
func (s *Service) RACIHistory(ctx context.Context, actor *aims.Actor, systemRef string) ([]tlog.Event, error) {
	m, err := s.RACI(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectRACI, ObjectID: m.SystemID, Limit: 500})
}
