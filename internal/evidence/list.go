package evidence

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

const selectItem = `SELECT e.id, e.ref, e.kind, e.title, e.description, e.url, e.note, e.file_sha256, e.file_name,
	e.file_size, e.content_type, e.valid_from, e.valid_until, e.added_by, COALESCE(u.name, ''), e.status, e.version,
	e.created_at, e.updated_at, e.archived_at
	FROM evidence e LEFT JOIN users u ON u.id = e.added_by`

func scanItem(scan func(...any) error) (*Evidence, error) {
	var it Evidence
	if err := scan(&it.ID, &it.Ref, &it.Kind, &it.Title, &it.Description, &it.URL, &it.Note, &it.FileSHA256,
		&it.FileName, &it.FileSize, &it.ContentType, &it.ValidFrom, &it.ValidUntil, &it.AddedBy, &it.AddedByName,
		&it.Status, &it.Version, &it.CreatedAt, &it.UpdatedAt, &it.ArchivedAt); err != nil {
		return nil, err
	}
	it.Links = []EvidenceLink{}
	return &it, nil
}

// get reads one item of an organisation by id or by reference, with its links.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Evidence, error) {
	col := "e.id"
	key := strings.TrimSpace(idOrRef)
	if aims.ValidID(key) {
		key = strings.ToLower(key)
	} else {
		col, key = "e.ref", strings.ToUpper(key)
	}
	it, err := scanItem(q.QueryRowContext(ctx, selectItem+` WHERE e.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("evidence", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	items := []Evidence{*it}
	if err := loadLinks(ctx, q, orgID, items); err != nil {
		return nil, err
	}
	s.setValidity(items)
	return &items[0], nil
}

// loadLinks fills in the links of items in one query, naming AI systems by reference and name.
func loadLinks(ctx context.Context, q db.Queryer, orgID string, items []Evidence) error {
	if len(items) == 0 {
		return nil
	}
	byID := make(map[string]int, len(items))
	args := []any{orgID}
	marks := make([]string, len(items))
	for i, it := range items {
		byID[it.ID] = i
		args = append(args, it.ID)
		marks[i] = "?"
	}
	rows, err := q.QueryContext(ctx, `SELECT l.evidence_id, l.target_type, l.target_id, COALESCE(s.ref, ''), COALESCE(s.name, '')
		FROM evidence_links l LEFT JOIN ai_systems s ON l.target_type = 'ai_system' AND s.id = l.target_id AND s.org_id = l.org_id
		WHERE l.org_id = ? AND l.evidence_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var evID, ref, name string
		var l EvidenceLink
		if err := rows.Scan(&evID, &l.Type, &l.ID, &ref, &name); err != nil {
			return err
		}
		l.Ref = l.ID
		if l.Type == TargetAISystem {
			if ref != "" {
				l.Ref = ref
			}
			l.Title = name
		}
		i := byID[evID]
		items[i].Links = append(items[i].Links, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range items {
		sortLinks(items[i].Links)
	}
	return nil
}

// setValidity computes each item's validity today.
func (s *Service) setValidity(items []Evidence) {
	today, soon := s.days()
	for i := range items {
		it := &items[i]
		it.Validity = validityOn(it.Status, it.ValidFrom, it.ValidUntil, today, soon)
	}
}

// ListQuery filters, searches, sorts and pages evidence.
type ListQuery struct {
	Q        string `query:"q" doc:"Words that must all appear in the reference, title, description, URL or file name."`
	Kind     string `query:"kind" enum:"file,link,note"`
	Status   string `query:"status" enum:"active,archived,all" default:"active"`
	Target   string `query:"target" doc:"Only evidence linked to this control, clause or AI system, written type:id such as control:A.6.2.4, clause:6.1.3 or ai_system:SYS-1."`
	Validity string `query:"validity" enum:"current,expiring,expired,not_yet_valid" doc:"Only evidence in this state today: expiring is current and ending within 30 days."`
	Sort     string `query:"sort" enum:"added,-added,ref,-ref,title,-title,until,-until,updated,-updated" default:"-added"`
	Limit    int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset   int    `query:"offset" minimum:"0"`
}

// EvidencePage is one page of evidence and the total number of matches.
type EvidencePage struct {
	Items  []Evidence `json:"items"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// sortColumns maps a sort key to its ORDER BY clause; ties break by when
// the evidence was added. Evidence without an end sorts after all with one.
var sortColumns = map[string]string{
	"added":   "e.created_at",
	"ref":     "e.created_at",
	"title":   "lower(e.title)",
	"until":   "CASE WHEN e.valid_until = '' THEN '9999-12-31' ELSE e.valid_until END",
	"updated": "e.updated_at",
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
	}
	if q.Kind != "" && !allowed(Kinds, q.Kind) {
		p.Add("kind", "must be one of %s", values(Kinds))
	}
	if q.Validity != "" && (!allowed(Validities, q.Validity) || q.Validity == ValidityArchived) {
		p.Add("validity", "must be one of current, expiring, expired, not_yet_valid")
	}
	q.Target = strings.TrimSpace(q.Target)
	if q.Target != "" {
		typ, id, ok := strings.Cut(q.Target, ":")
		if !ok || strings.TrimSpace(id) == "" || !allowed(TargetTypes, strings.ToLower(strings.TrimSpace(typ))) {
			p.Add("target", "must be written type:id, with type %s", values(TargetTypes))
		}
	}
	if q.Sort == "" {
		q.Sort = "-added"
	}
	if _, ok := sortColumns[strings.TrimPrefix(q.Sort, "-")]; !ok {
		p.Add("sort", "must be one of added, ref, title, until, updated, optionally preceded by -")
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	return p.Err()
}

// validityCond is the SQL condition of a validity today; dates written
// YYYY-MM-DD compare as text in the order of days.
func validityCond(validity, today, soon string) (string, []any) {
	const current = `e.status = 'active' AND (e.valid_from = '' OR e.valid_from <= ?) AND (e.valid_until = '' OR e.valid_until >= ?)`
	switch validity {
	case ValidityCurrent:
		return current, []any{today, today}
	case ValidityExpiring:
		return current + ` AND e.valid_until <> '' AND e.valid_until <= ?`, []any{today, today, soon}
	case ValidityExpired:
		return `e.status = 'active' AND e.valid_until <> '' AND e.valid_until < ?`, []any{today}
	case ValidityNotYet:
		return `e.status = 'active' AND e.valid_from > ? AND (e.valid_until = '' OR e.valid_until >= ?)`, []any{today, today}
	}
	return "1 = 1", nil
}

// List returns a page of the organisation's evidence.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*EvidencePage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	page := &EvidencePage{Items: []Evidence{}, Limit: q.Limit, Offset: q.Offset}
	where := []string{"e.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "e.status = ?")
		args = append(args, q.Status)
	}
	if q.Kind != "" {
		where = append(where, "e.kind = ?")
		args = append(args, q.Kind)
	}
	if q.Target != "" {
		typ, id, _ := strings.Cut(q.Target, ":")
		l, found, err := s.resolve(ctx, actor.OrgID, strings.ToLower(strings.TrimSpace(typ)), strings.TrimSpace(id))
		if err != nil {
			return nil, err
		}
		if !found {
			return page, nil // nothing is linked to what does not exist
		}
		where = append(where, `EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = e.id AND l.org_id = e.org_id
			AND l.target_type = ? AND l.target_id = ?)`)
		args = append(args, l.Type, l.ID)
	}
	if q.Validity != "" {
		today, soon := s.days()
		cond, a := validityCond(q.Validity, today, soon)
		where = append(where, cond)
		args = append(args, a...)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `e.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM evidence e WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	dir := "ASC"
	if strings.HasPrefix(q.Sort, "-") {
		dir = "DESC"
	}
	order := sortColumns[strings.TrimPrefix(q.Sort, "-")] + " " + dir + ", e.created_at " + dir + ", e.id " + dir
	items, err := s.query(ctx, actor.OrgID, ` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	page.Items = items
	return page, nil
}

// query reads the items a condition selects, with their links and validity.
func (s *Service) query(ctx context.Context, orgID, rest string, args ...any) ([]Evidence, error) {
	rows, err := s.db.QueryContext(ctx, selectItem+rest, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []Evidence{}
	for rows.Next() {
		it, err := scanItem(rows.Scan)
		if err != nil {
			return nil, err
		}
		items = append(items, *it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := loadLinks(ctx, s.db, orgID, items); err != nil {
		return nil, err
	}
	s.setValidity(items)
	return items, nil
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Due is the organisation's active evidence that has expired or expires
// within ExpiringDays, for the dashboard.
type Due struct {
	// Items are the first DueLimit of them: expired first, then by last valid day.
	Items    []Evidence `json:"items"`
	Expired  int        `json:"expired"`
	Expiring int        `json:"expiring"`
}

// DueLimit is how many items Expiring returns at most.
const DueLimit = 20

// Expiring returns the active evidence that has expired or expires soon.
func (s *Service) Expiring(ctx context.Context, actor *aims.Actor) (*Due, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	today, soon := s.days()
	expired, ea := validityCond(ValidityExpired, today, soon)
	expiring, xa := validityCond(ValidityExpiring, today, soon)
	d := &Due{}
	args := append(append([]any{today, actor.OrgID}, ea...), xa...)
	if err := s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN e.valid_until < ? THEN 1 ELSE 0 END), 0), count(*)
		FROM evidence e WHERE e.org_id = ? AND ((`+expired+`) OR (`+expiring+`))`, args...).Scan(&d.Expired, &d.Expiring); err != nil {
		return nil, err
	}
	d.Expiring -= d.Expired
	items, err := s.query(ctx, actor.OrgID, ` WHERE e.org_id = ? AND ((`+expired+`) OR (`+expiring+`))
		ORDER BY e.valid_until, e.created_at, e.id LIMIT ?`, append(append(append([]any{actor.OrgID}, ea...), xa...), DueLimit)...)
	if err != nil {
		return nil, err
	}
	d.Items = items
	return d, nil
}

// ForTarget returns the active evidence linked to a control, clause or AI
// system (by id or reference), oldest first, for the pages of those records.
func (s *Service) ForTarget(ctx context.Context, actor *aims.Actor, targetType, id string) ([]Evidence, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if !allowed(TargetTypes, targetType) {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "target", Message: "must be one of " + values(TargetTypes)}}}
	}
	l, found, err := s.resolve(ctx, actor.OrgID, targetType, strings.TrimSpace(id))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, aims.NotFound(Label(TargetTypes, targetType), id)
	}
	return s.query(ctx, actor.OrgID, ` WHERE e.org_id = ? AND e.status = 'active' AND EXISTS (SELECT 1 FROM evidence_links l
		WHERE l.evidence_id = e.id AND l.org_id = e.org_id AND l.target_type = ? AND l.target_id = ?)
		ORDER BY e.created_at, e.id`, actor.OrgID, l.Type, l.ID)
}

// CurrentForControls lists, per control id, the organisation's evidence that is current today.
// It is for other capabilities whose services have already authorised
// their actor in the organisation, such as the Statement of Applicability.
func (s *Service) CurrentForControls(ctx context.Context, orgID string) (map[string][]Ref, error) {
	today, soon := s.days()
	cond, args := validityCond(ValidityCurrent, today, soon)
	rows, err := s.db.QueryContext(ctx, `SELECT l.target_id, e.ref, e.title FROM evidence_links l
		JOIN evidence e ON e.id = l.evidence_id AND e.org_id = l.org_id
		WHERE l.org_id = ? AND l.target_type = 'control' AND `+cond+`
		ORDER BY l.target_id, e.created_at, e.id`, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cannot read current evidence: %w", err)
	}
	defer rows.Close()
	out := map[string][]Ref{}
	for rows.Next() {
		var control string
		var r Ref
		if err := rows.Scan(&control, &r.Ref, &r.Title); err != nil {
			return nil, err
		}
		out[control] = append(out[control], r)
	}
	return out, rows.Err()
}
