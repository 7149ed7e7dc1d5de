package supplier

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Roles of a third party in a supply.
const (
	RoleSupplier = "supplier"
	RoleCustomer = "customer"
)

// SupplyRoles say which way a supply goes.
var SupplyRoles = []Option{
	{RoleSupplier, "Supplies us", "the third party provides it to the organisation"},
	{RoleCustomer, "Receives from us", "the organisation provides it to the third party"},
}

// SupplyKinds are what can be supplied.
var SupplyKinds = []Option{
	{"model", "Model", "a trained model or a model service"},
	{"data_set", "Data set", "data for training, evaluation or operation"},
	{"service", "Service", "a service, such as labelling, hosting or an AI system as a service"},
	{"tooling", "Tooling", "software and tools for building, testing or running AI"},
	{"computing", "Computing", "computing, storage or network resources"},
	{"other", "Other", "anything else, described"},
}

// Supply is what a third party provides to the organisation, or receives from it.
type Supply struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref" doc:"The party's reference and the supply's number, such as TP-1/S2."`
	Number      int       `json:"number" doc:"1, 2, … within the party."`
	PartyID     string    `json:"party_id"`
	PartyRef    string    `json:"party_ref"`
	PartyName   string    `json:"party_name"`
	Role        string    `json:"role" enum:"supplier,customer" doc:"supplier: the party supplies the organisation; customer: the organisation supplies the party."`
	Kind        string    `json:"kind" enum:"model,data_set,service,tooling,computing,other"`
	System      *Link     `json:"system,omitempty" doc:"The AI system it serves; absent when none."`
	Model       *Link     `json:"model,omitempty" doc:"The model it is; absent when none."`
	Dataset     *Link     `json:"dataset,omitempty" doc:"The data set it is; absent when none."`
	Description string    `json:"description"`
	Version     int       `json:"version" doc:"Increases with every change; send it back when changing the supply."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Link names another record: an AI system, a model, a data set or a third party.
type Link struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// SupplyRequest records a supply. Kind is required; say what is supplied
// with a description or by naming the system, model or data set.
type SupplyRequest struct {
	Role        string `json:"role,omitempty" enum:"supplier,customer" doc:"supplier: the party supplies the organisation; customer: the organisation supplies the party. When empty: supplier, unless the party is only a customer."`
	Kind        string `json:"kind" enum:"model,data_set,service,tooling,computing,other"`
	System      string `json:"system,omitempty" doc:"The AI system it serves (SYS-1); for a model, its system when empty."`
	Model       string `json:"model,omitempty" doc:"The model it is (MDL-1), for supplies of kind model."`
	Dataset     string `json:"dataset,omitempty" doc:"The data set it is (DS-1), for supplies of kind data_set."`
	Description string `json:"description,omitempty" maxLength:"2000" doc:"What is supplied, on what terms."`
}

// SupplyUpdate changes the fields it names, if the supply has not changed
// since the version it is based on; an empty system, model or data set clears it.
type SupplyUpdate struct {
	Version     int     `json:"version" minimum:"1" doc:"The version this change is based on."`
	Role        *string `json:"role,omitempty" enum:"supplier,customer"`
	Kind        *string `json:"kind,omitempty" enum:"model,data_set,service,tooling,computing,other"`
	System      *string `json:"system,omitempty"`
	Model       *string `json:"model,omitempty"`
	Dataset     *string `json:"dataset,omitempty"`
	Description *string `json:"description,omitempty" maxLength:"2000"`
}

// auditSupply is what the audit log records of a supply.
type auditSupply struct {
	Ref         string `json:"ref"`
	Role        string `json:"role"`
	Kind        string `json:"kind"`
	System      string `json:"system"`
	Model       string `json:"model"`
	Dataset     string `json:"dataset"`
	Description string `json:"description"`
}

func (s *Supply) audit() auditSupply {
	ref := func(l *Link) string {
		if l == nil {
			return ""
		}
		return l.Ref
	}
	return auditSupply{Ref: s.Ref, Role: s.Role, Kind: s.Kind, System: ref(s.System), Model: ref(s.Model),
		Dataset: ref(s.Dataset), Description: s.Description}
}

func supplyRef(partyRef string, n int) string { return partyRef + "/S" + strconv.Itoa(n) }

// check fills a supply from what a request says, resolving the system,
// model and data set it names, and records every problem.
func (s *Service) checkSupply(ctx context.Context, actor *aims.Actor, t *Party, sp *Supply, system, mdl, ds string, p *aims.Problems) error {
	sp.Role, sp.Kind = strings.TrimSpace(sp.Role), strings.TrimSpace(sp.Kind)
	if sp.Role == "" {
		sp.Role = RoleSupplier
		if !t.Supplies() {
			sp.Role = RoleCustomer
		}
	}
	switch {
	case !allowed(SupplyRoles, sp.Role):
		p.Add("role", "must be one of %s", values(SupplyRoles))
	case sp.Role == RoleSupplier && !t.Supplies():
		p.Add("role", "cannot be supplier: %s is recorded as a customer only", t.Ref)
	case sp.Role == RoleCustomer && !t.Receives():
		p.Add("role", "cannot be customer: %s is recorded as a supplier only", t.Ref)
	}
	if !allowed(SupplyKinds, sp.Kind) {
		p.Add("kind", "must be one of %s", values(SupplyKinds))
	}
	text(p, "description", &sp.Description, false, maxText)
	system, mdl, ds = strings.TrimSpace(system), strings.TrimSpace(mdl), strings.TrimSpace(ds)
	sp.System, sp.Model, sp.Dataset = nil, nil, nil
	modelSystem := ""
	if mdl != "" {
		if sp.Kind != "model" && allowed(SupplyKinds, sp.Kind) {
			p.Add("model", "can be named only for supplies of kind model")
		} else {
			m, err := s.sources.Model(ctx, actor, mdl)
			switch c := aims.CodeOf(err); {
			case c == aims.CodeNotFound || c == aims.CodeInvalid:
				p.Add("model", "names %s, which is not a model of this organisation", mdl)
			case err != nil:
				return err
			default:
				sp.Model, modelSystem = &Link{ID: m.ID, Ref: m.Ref, Name: m.Name}, m.SystemID
				if system == "" {
					system = m.SystemID
				}
			}
		}
	}
	if ds != "" {
		if sp.Kind != "data_set" && allowed(SupplyKinds, sp.Kind) {
			p.Add("dataset", "can be named only for supplies of kind data_set")
		} else {
			d, err := s.sources.Dataset(ctx, actor, ds)
			switch c := aims.CodeOf(err); {
			case c == aims.CodeNotFound || c == aims.CodeInvalid:
				p.Add("dataset", "names %s, which is not a data set of this organisation", ds)
			case err != nil:
				return err
			default:
				sp.Dataset = &Link{ID: d.ID, Ref: d.Ref, Name: d.Name}
			}
		}
	}
	if system != "" {
		sys, err := s.resolveSystem(ctx, actor, "system", system, p)
		if err != nil {
			return err
		}
		if sys != nil {
			sp.System = &Link{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}
		}
	}
	if sp.Model != nil && sp.System != nil && modelSystem != sp.System.ID {
		owner, err := s.systemNames(actor).get(ctx, modelSystem)
		if err != nil {
			return err
		}
		p.Add("model", "belongs to %s, not to %s", owner.Ref, sp.System.Ref)
	}
	if sp.System == nil && sp.Model == nil && sp.Dataset == nil && sp.Description == "" && !p.Has("system") && !p.Has("model") && !p.Has("dataset") {
		p.Add("description", "is required when no system, model or data set is named: say what is supplied")
	}
	return nil
}

func idOf(l *Link) string {
	if l == nil {
		return ""
	}
	return l.ID
}

// AddSupply records what a third party supplies, or receives.
func (s *Service) AddSupply(ctx context.Context, actor *aims.Actor, partyRef string, req SupplyRequest) (*Supply, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, partyRef)
	if err != nil {
		return nil, err
	}
	sp := &Supply{Role: req.Role, Kind: req.Kind, Description: req.Description}
	var p aims.Problems
	if err := s.checkSupply(ctx, actor, t, sp, req.System, req.Model, req.Dataset, &p); err != nil {
		return nil, fmt.Errorf("cannot record a supply of %s: %w", t.Ref, err)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error { return s.insertSupply(ctx, tx, actor, t, sp) })
	if err != nil {
		return nil, fmt.Errorf("cannot record a supply of %s: %w", t.Ref, err)
	}
	return s.GetSupply(ctx, actor, t.Ref, sp.Number)
}

// insertSupply stores a checked supply of a party with its audit event.
func (s *Service) insertSupply(ctx context.Context, tx *db.Tx, actor *aims.Actor, t *Party, sp *Supply) error {
	var status string
	var n int
	if err := tx.QueryRowContext(ctx, `UPDATE third_parties SET last_supply = last_supply + 1 WHERE id = ? AND org_id = ?
		RETURNING last_supply, status`, t.ID, actor.OrgID).Scan(&n, &status); err != nil {
		return err
	}
	if status == StatusArchived {
		return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before recording what it supplies", t.Ref)
	}
	now := s.clock()
	sp.ID, sp.Number, sp.Ref, sp.Version, sp.PartyID, sp.PartyRef, sp.PartyName = aims.NewID(), n, supplyRef(t.Ref, n), 1, t.ID, t.Ref, t.Name
	if _, err := tx.ExecContext(ctx, `INSERT INTO supplies (id, org_id, party_id, number, role, kind, system_id, model_id,
		dataset_id, description, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sp.ID, actor.OrgID, t.ID, n, sp.Role, sp.Kind, idOf(sp.System), idOf(sp.Model), idOf(sp.Dataset), sp.Description,
		sp.Version, now, now); err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, sp.audit())
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSupplyAdd, tlog.EventObject{Type: ObjectSupply, ID: sp.ID, Ref: sp.Ref}, ch)
}

const selectSupply = `SELECT s.id, s.number, s.party_id, p.ref, p.name, s.role, s.kind, s.system_id, s.model_id, s.dataset_id,
	s.description, s.version, s.created_at, s.updated_at FROM supplies s JOIN third_parties p ON p.id = s.party_id`

// supplyRow is a stored supply before its links are resolved.
type supplyRow struct {
	Supply
	systemID, modelID, datasetID string
}

func (s *Service) readSupplies(ctx context.Context, q db.Queryer, actor *aims.Actor, where string, args ...any) ([]Supply, error) {
	rows, err := q.QueryContext(ctx, selectSupply+` WHERE s.org_id = ? AND `+where+` ORDER BY p.name_key, p.id, s.number`,
		append([]any{actor.OrgID}, args...)...)
	if err != nil {
		return nil, err
	}
	var raw []supplyRow
	for rows.Next() {
		var r supplyRow
		if err := rows.Scan(&r.ID, &r.Number, &r.PartyID, &r.PartyRef, &r.PartyName, &r.Role, &r.Kind, &r.systemID,
			&r.modelID, &r.datasetID, &r.Description, &r.Version, &r.CreatedAt, &r.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		r.Ref = supplyRef(r.PartyRef, r.Number)
		raw = append(raw, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.resolveLinks(ctx, actor, raw)
}

// resolveLinks names the systems, models and data sets of stored supplies;
// one that no longer resolves is shown by its id.
func (s *Service) resolveLinks(ctx context.Context, actor *aims.Actor, raw []supplyRow) ([]Supply, error) {
	systems := s.systemNames(actor)
	items := map[string]*Link{}
	item := func(id string, get func(context.Context, *aims.Actor, string) (*ItemInfo, error)) (*Link, error) {
		if id == "" {
			return nil, nil
		}
		if l, ok := items[id]; ok {
			return l, nil
		}
		it, err := get(ctx, actor, id)
		if aims.CodeOf(err) == aims.CodeNotFound {
			it, err = &ItemInfo{ID: id, Ref: id, Name: "(unknown)"}, nil
		}
		if err != nil {
			return nil, err
		}
		items[id] = &Link{ID: it.ID, Ref: it.Ref, Name: it.Name}
		return items[id], nil
	}
	out := make([]Supply, 0, len(raw))
	for _, r := range raw {
		sp := r.Supply
		if r.systemID != "" {
			sys, err := systems.get(ctx, r.systemID)
			if err != nil {
				return nil, err
			}
			sp.System = &Link{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}
		}
		var err error
		if sp.Model, err = item(r.modelID, s.sources.Model); err != nil {
			return nil, err
		}
		if sp.Dataset, err = item(r.datasetID, s.sources.Dataset); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// GetSupply returns one supply of a party by its number.
func (s *Service) GetSupply(ctx context.Context, actor *aims.Actor, partyRef string, number int) (*Supply, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, partyRef)
	if err != nil {
		return nil, err
	}
	out, err := s.readSupplies(ctx, s.db, actor, "s.party_id = ? AND s.number = ?", t.ID, number)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, aims.NotFound("supply", supplyRef(t.Ref, number))
	}
	return &out[0], nil
}

// Supplies lists what a party supplies and receives, by number.
func (s *Service) Supplies(ctx context.Context, actor *aims.Actor, partyRef string) ([]Supply, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, partyRef)
	if err != nil {
		return nil, err
	}
	return s.readSupplies(ctx, s.db, actor, "s.party_id = ?", t.ID)
}

// SystemSupplies lists the supplies that serve an AI system, by party name.
func (s *Service) SystemSupplies(ctx context.Context, actor *aims.Actor, systemRef string) ([]Supply, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	return s.readSupplies(ctx, s.db, actor, "s.system_id = ?", sys.ID)
}

// UpdateSupply changes a supply, if it has not changed since the version the request is based on.
func (s *Service) UpdateSupply(ctx context.Context, actor *aims.Actor, partyRef string, number int, req SupplyUpdate) (*Supply, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	before, err := s.GetSupply(ctx, actor, partyRef, number)
	if err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, before.PartyID)
	if err != nil {
		return nil, err
	}
	after := *before
	pick := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	pick(&after.Role, req.Role)
	pick(&after.Kind, req.Kind)
	pick(&after.Description, req.Description)
	refOr := func(l *Link, v *string) string {
		if v != nil {
			return *v
		}
		if l == nil {
			return ""
		}
		return l.ID
	}
	system, mdl, ds := refOr(before.System, req.System), refOr(before.Model, req.Model), refOr(before.Dataset, req.Dataset)
	if req.Model != nil && req.System == nil && before.Model != nil && before.System != nil {
		system = "" // a new model brings its own system
	}
	var p aims.Problems
	if err := s.checkSupply(ctx, actor, t, &after, system, mdl, ds, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if t.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing its supplies", t.Ref)
		}
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE supplies SET role = ?, kind = ?, system_id = ?, model_id = ?, dataset_id = ?,
			description = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Role, after.Kind, idOf(after.System), idOf(after.Model), idOf(after.Dataset), after.Description, s.clock(),
			before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSupplyUpdate, tlog.EventObject{Type: ObjectSupply, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update supply %s: %w", before.Ref, err)
	}
	return s.GetSupply(ctx, actor, t.Ref, number)
}

// RemoveSupply deletes a supply that is no longer true; the audit log keeps what it was.
func (s *Service) RemoveSupply(ctx context.Context, actor *aims.Actor, partyRef string, number, version int) error {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return err
	}
	before, err := s.GetSupply(ctx, actor, partyRef, number)
	if err != nil {
		return err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if version != before.Version {
			return staleVersion(before.Ref, before.Version, version)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM supplies WHERE id = ? AND org_id = ? AND version = ?`, before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, version)
		}
		ch, err := tlog.Changes(before.audit(), nil)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSupplyRemove, tlog.EventObject{Type: ObjectSupply, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return fmt.Errorf("cannot remove supply %s: %w", before.Ref, err)
	}
	return nil
}
