package people

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// How a person stands with a competence on a day.
const (
	Held    = "held"    // a current training record confers it
	Expired = "expired" // records conferred it, but all have expired
	Missing = "missing" // no record that counts confers it
)

// Standing is how a person stands with one competence today.
type Standing struct {
	Competence Named `json:"competence"`
	// Required says whether a role the person holds requires it; RequiredBy names those roles.
	Required   bool     `json:"required"`
	RequiredBy []string `json:"required_by" doc:"References of the person's AIMS roles that require the competence."`
	State      string   `json:"state" enum:"held,expired,missing"`
	// Until is, when held, the first day it no longer counts (empty: it does not expire); when expired, the day it stopped.
	Until string `json:"until" doc:"When held: the first day it no longer counts, empty when it does not expire. When expired: the day it stopped counting."`
	// Record is the record the state comes from; empty when missing.
	Record string `json:"record" doc:"The training record the state comes from, such as TR-3; empty when missing."`
}

// Gap reports whether the standing is a required competence not held.
func (s Standing) Gap() bool { return s.Required && s.State != Held }

// Matrix shows, for everyone holding an AIMS role, how they stand with each competence the roles require.
type Matrix struct {
	Today       string      `json:"today" doc:"The day the matrix was worked out for (UTC)."`
	Competences []Named     `json:"competences" doc:"The columns: every competence an active AIMS role requires, by name."`
	Rows        []MatrixRow `json:"rows" doc:"One row per member holding an active AIMS role, by name."`
	Gaps        int         `json:"gaps" doc:"How many required competences are not held."`
}

// MatrixRow is one person's row of the matrix.
type MatrixRow struct {
	Person PersonRef `json:"person"`
	Roles  []Named   `json:"roles"`
	// Cells follow the matrix's competences.
	Cells []Standing `json:"cells" doc:"One per column, in the same order."`
	Gaps  int        `json:"gaps"`
}

// PersonCompetence is one person's roles, competences, gaps and training records.
type PersonCompetence struct {
	Today  string    `json:"today"`
	Person PersonRef `json:"person"`
	Roles  []Named   `json:"roles" doc:"The active AIMS roles the person holds."`
	// Competences lists those required first, then others held.
	Competences []Standing       `json:"competences" doc:"The competences the person's roles require, then others the person holds."`
	Gaps        int              `json:"gaps" doc:"How many required competences the person does not hold."`
	Records     []TrainingRecord `json:"records" doc:"All the person's training records, the latest completed first."`
}

// standings works out, from one organisation's state today, each holder's roles and standings.
type standings struct {
	today   string
	roles   []Role // active, with current members
	records map[string][]TrainingRecord
	active  map[string]bool // active competence ids
}

func (s *Service) load(ctx context.Context, orgID string) (*standings, error) {
	st := &standings{today: s.today(), records: map[string][]TrainingRecord{}, active: map[string]bool{}}
	var err error
	if st.roles, err = s.readRoles(ctx, s.db, orgID, ` AND r.status = 'active' ORDER BY r.name_key`); err != nil {
		return nil, err
	}
	recs, err := readRecords(ctx, s.db, st.today, `t.org_id = ? ORDER BY t.completed_on DESC, t.created_at DESC, t.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		st.records[r.Person.UserID] = append(st.records[r.Person.UserID], r)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM competences WHERE org_id = ? AND status = 'active'`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		st.active[id] = true
	}
	return st, rows.Err()
}

// holders lists the people holding active roles, by name, with their roles.
func (st *standings) holders() ([]PersonRef, map[string][]Role) {
	by := map[string][]Role{}
	var people []PersonRef
	for _, r := range st.roles {
		for _, m := range r.Members {
			if _, ok := by[m.UserID]; !ok {
				people = append(people, m)
			}
			by[m.UserID] = append(by[m.UserID], r)
		}
	}
	sortPeople(people)
	return people, by
}

// standing works out how a person stands with a competence: held through
// the current record that lasts longest, else expired as of the latest
// expiry, else missing.
func (st *standings) standing(userID string, c Named) Standing {
	out := Standing{Competence: c, State: Missing, RequiredBy: []string{}}
	for _, r := range st.records[userID] {
		if (r.State != RecordCurrent && r.State != RecordExpired) || !hasLink(r.Competences, c.ID) {
			continue
		}
		switch {
		case r.State == RecordCurrent && (out.State != Held || (out.Until != "" && (r.ExpiresOn == "" || r.ExpiresOn > out.Until))):
			out.State, out.Until, out.Record = Held, r.ExpiresOn, r.Ref
		case r.State == RecordExpired && (out.State == Missing || (out.State == Expired && r.ExpiresOn > out.Until)):
			out.State, out.Until, out.Record = Expired, r.ExpiresOn, r.Ref
		}
	}
	return out
}

func hasLink(ls []Named, id string) bool {
	for _, l := range ls {
		if l.ID == id {
			return true
		}
	}
	return false
}

// required lists the active competences a person's roles require, by name, with the roles requiring each.
func (st *standings) required(roles []Role) ([]Named, map[string][]string) {
	by := map[string][]string{}
	var out []Named
	for _, r := range roles {
		for _, c := range r.Competences {
			if !st.active[c.ID] {
				continue
			}
			if _, ok := by[c.ID]; !ok {
				out = append(out, c)
			}
			by[c.ID] = append(by[c.ID], r.Ref)
		}
	}
	sortLinks(out)
	return out, by
}

func roleLinks(rs []Role) []Named {
	out := make([]Named, len(rs))
	for i, r := range rs {
		out[i] = Named{ID: r.ID, Ref: r.Ref, Name: r.Name}
	}
	return out
}

// matrix works out the competence matrix.
func (st *standings) matrix() *Matrix {
	people, rolesOf := st.holders()
	cols, _ := st.required(st.roles)
	m := &Matrix{Today: st.today, Competences: cols, Rows: []MatrixRow{}}
	if m.Competences == nil {
		m.Competences = []Named{}
	}
	for _, p := range people {
		_, by := st.required(rolesOf[p.UserID])
		row := MatrixRow{Person: p, Roles: roleLinks(rolesOf[p.UserID]), Cells: []Standing{}}
		for _, c := range cols {
			cell := st.standing(p.UserID, c)
			if refs, ok := by[c.ID]; ok {
				cell.Required, cell.RequiredBy = true, refs
			}
			if cell.Gap() {
				row.Gaps++
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Gaps += row.Gaps
		m.Rows = append(m.Rows, row)
	}
	return m
}

// CompetenceMatrix returns, for everyone holding an active AIMS role, how
// they stand today with each competence the active roles require.
func (s *Service) CompetenceMatrix(ctx context.Context, actor *aims.Actor) (*Matrix, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	st, err := s.load(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	return st.matrix(), nil
}

// Person returns a member's roles, competences, gaps and training records;
// the member is named by user id or email, and must belong to the organisation.
func (s *Service) Person(ctx context.Context, actor *aims.Actor, userIDOrEmail string) (*PersonCompetence, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	_, ms, err := s.members(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	m, ok := findMember(ms, userIDOrEmail)
	if !ok {
		return nil, aims.NotFound("member", userIDOrEmail)
	}
	st, err := s.load(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	_, rolesOf := st.holders()
	roles := rolesOf[m.UserID]
	pc := &PersonCompetence{Today: st.today, Person: personOf(m), Roles: roleLinks(roles), Competences: []Standing{},
		Records: st.records[m.UserID]}
	if pc.Records == nil {
		pc.Records = []TrainingRecord{}
	}
	req, by := st.required(roles)
	for _, c := range req {
		sd := st.standing(m.UserID, c)
		sd.Required, sd.RequiredBy = true, by[c.ID]
		if sd.Gap() {
			pc.Gaps++
		}
		pc.Competences = append(pc.Competences, sd)
	}
	var others []Named
	seen := map[string]bool{}
	for _, r := range pc.Records {
		for _, c := range r.Competences {
			if _, req := by[c.ID]; !req && !seen[c.ID] && st.active[c.ID] {
				seen[c.ID] = true
				others = append(others, c)
			}
		}
	}
	sortLinks(others)
	for _, c := range others {
		if sd := st.standing(m.UserID, c); sd.State == Held {
			pc.Competences = append(pc.Competences, sd)
		}
	}
	return pc, nil
}
