package risk

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// report is an export's content, whichever its format.
type report struct {
	// Title is the document's title: "Risk register", or the assessment's.
	Title        string
	Organisation string
	Created      time.Time
	// Meta describes the document as label and value pairs.
	Meta [][2]string
	// Checkpoint explains the signed checkpoint, and Note is it; both empty when there is none.
	CheckpointText, CheckpointNote string
	Criteria                       *Criteria
	Risks                          []Risk
}

// checkFormat reads an export format, naming it when it is not one.
func checkFormat(format string) (string, string, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	for _, f := range Formats {
		if f.Value == format {
			return format, f.Label, nil
		}
	}
	return "", "", &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
		Fields: []aims.FieldError{{Field: "format", Message: "must be pdf or xlsx"}}}
}

// render writes a report in a format.
func render(r *report, format, contentType, name string) (*File, error) {
	var data []byte
	var err error
	switch format {
	case FormatPDF:
		data, err = renderPDF(r)
	case FormatXLSX:
		data, err = renderXLSX(r)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot export %s as %s: %w", strings.ToLower(r.Title), format, err)
	}
	return &File{Name: name + "." + format, ContentType: contentType, Data: data}, nil
}

// ExportRegister renders the whole register with its treatment plan as a
// PDF or XLSX file naming the organisation, the criteria version, the date
// and the latest signed audit checkpoint.
func (s *Service) ExportRegister(ctx context.Context, actor *aims.Actor, format string) (*File, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	format, ctype, err := checkFormat(format)
	if err != nil {
		return nil, err
	}
	rd, err := s.reader(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	risks, err := rd.risks(ctx, `WHERE r.org_id = ? ORDER BY r.created_at, r.id`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC()
	r := &report{Title: "Risk register", Created: now, Criteria: rd.criteria.current}
	if err := s.db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, actor.OrgID).Scan(&r.Organisation); err != nil {
		return nil, err
	}
	closed := 0
	for _, x := range risks {
		if x.Status == StatusClosed {
			closed++
		}
		r.Risks = append(r.Risks, *x)
	}
	sort.SliceStable(r.Risks, func(i, j int) bool { return lessRef(r.Risks[i].Ref, r.Risks[j].Ref) })
	criteria := "none set yet"
	if c := r.Criteria; c != nil {
		criteria = fmt.Sprintf("version %d (%s, appetite %s), set %s", c.Version, c.Size(), c.Appetite, c.CreatedAt.Format(DateLayout))
	}
	r.Meta = [][2]string{{"Organisation", r.Organisation}, {"Document", "Risk register with treatment plan"},
		{"Date", fmtTime(now)}, {"Risk criteria", criteria},
		{"Risks", fmt.Sprintf("%d: %d not closed, %d closed", len(risks), len(risks)-closed, closed)}}
	logID, err := tlog.LogID(ctx, s.db, actor.OrgID, tlog.KindAudit, "")
	if err != nil {
		return nil, err
	}
	cp, err := tlog.LatestCheckpoint(ctx, s.db, logID)
	switch {
	case aims.CodeOf(err) == aims.CodeNotFound:
		r.Meta = append(r.Meta, [2]string{"Audit checkpoint", "none signed yet"})
	case err != nil:
		return nil, err
	default:
		r.Meta = append(r.Meta, checkpointMeta(cp.Origin, cp.Size, cp.Root[:])...)
		r.CheckpointText = fmt.Sprintf("The latest checkpoint of the organisation's audit log, signed %s, covers its first %d entries. "+
			"Verify it with the installation's public key (aims audit verify, or GET /api/v1/audit/key); changes after it are in the log.",
			fmtTime(cp.SignedAt), cp.Size)
		r.CheckpointNote = cp.Note
	}
	return render(r, format, ctype, "risk-register-"+now.Format(DateLayout))
}

// ExportAssessment renders a closed risk assessment as a PDF or XLSX file
// naming its closer and the checkpoint signed when it closed.
func (s *Service) ExportAssessment(ctx context.Context, actor *aims.Actor, ref, format string) (*File, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	format, ctype, err := checkFormat(format)
	if err != nil {
		return nil, err
	}
	a, err := s.assessment(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	if a.Status != AssessmentClosed {
		return nil, aims.Errorf(aims.CodeConflict, "%s is still open: close it to export its results", a.Ref)
	}
	r := &report{Title: "Risk assessment " + a.Ref + ": " + a.Name, Organisation: a.Organisation, Created: *a.ClosedAt, Risks: a.Risks}
	if a.CriteriaVersion > 0 {
		if r.Criteria, err = criteriaVersion(ctx, s.db, actor.OrgID, a.CriteriaVersion); err != nil {
			return nil, err
		}
	}
	r.Meta = [][2]string{{"Organisation", a.Organisation}, {"Assessment", a.Ref + " " + a.Name}, {"Scope", scopeText(a)}}
	if a.Note != "" {
		r.Meta = append(r.Meta, [2]string{"Purpose", a.Note})
	}
	r.Meta = append(r.Meta, [2]string{"Opened", a.OpenedByName + ", " + fmtTime(a.OpenedAt)},
		[2]string{"Closed by", a.ClosedByName}, [2]string{"Closed at", fmtTime(*a.ClosedAt)})
	if a.CloseNote != "" {
		r.Meta = append(r.Meta, [2]string{"Conclusion", a.CloseNote})
	}
	criteria := "none set"
	if a.CriteriaVersion > 0 {
		criteria = "version " + itoa(a.CriteriaVersion)
	}
	r.Meta = append(r.Meta, [2]string{"Risk criteria", criteria}, [2]string{"Risks", itoa(len(a.Risks))})
	r.Meta = append(r.Meta, checkpointMeta(a.Checkpoint.Origin, a.Checkpoint.Size, a.Checkpoint.Root)...)
	r.CheckpointText = fmt.Sprintf("The closing was recorded as entry %d of the organisation's audit log. This checkpoint was signed in "+
		"the same transaction and covers it: verify it with the installation's public key (aims audit verify, or GET /api/v1/audit/key).",
		a.Checkpoint.Size-1)
	r.CheckpointNote = a.Checkpoint.Note
	return render(r, format, ctype, "risk-assessment-"+a.Ref)
}

// scopeText words an assessment's scope.
func scopeText(a *Assessment) string {
	if a.Scope != ScopeSystems {
		return "All risks of the register"
	}
	var names []string
	for _, s := range a.Systems {
		names = append(names, s.Ref+" "+s.Name)
	}
	return "The risks of " + strings.Join(names, ", ")
}

func checkpointMeta(origin string, size int64, root []byte) [][2]string {
	return [][2]string{{"Checkpoint origin", origin}, {"Checkpoint size", fmt.Sprintf("%d", size)},
		{"Checkpoint root", base64.StdEncoding.EncodeToString(root)}}
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// The columns of the exports' tables, one value per risk or action.

// riskCells are a risk's cells in the risks table.
func riskCells(r *Risk) []string {
	systems := make([]string, len(r.Systems))
	for i, s := range r.Systems {
		systems[i] = s.Ref
	}
	controls := make([]string, len(r.Treatment.Controls))
	for i, c := range r.Treatment.Controls {
		controls[i] = c.ID
	}
	objectives := make([]string, len(r.Objectives))
	for i, o := range r.Objectives {
		objectives[i] = o.Text()
	}
	inherent, residual := "", ""
	if r.Inherent != nil {
		inherent = fmt.Sprintf("%s (L%d × I%d)", r.Inherent.Level, r.Inherent.Likelihood, r.Inherent.Impact)
		if r.OlderCriteria {
			inherent += fmt.Sprintf(", criteria v%d", r.CriteriaVersion)
		}
	}
	if res := r.Treatment.Residual; res != nil {
		residual = fmt.Sprintf("%s (L%d × I%d)", res.Level, res.Likelihood, res.Impact)
	}
	if r.AboveAppetite {
		if residual != "" {
			residual += ", above appetite"
		} else if inherent != "" {
			inherent += ", above appetite"
		}
	}
	treatment := Label(TreatmentOptions, r.Treatment.Option)
	if r.Treatment.PlanVersion > 0 {
		treatment = strings.TrimSpace(treatment + fmt.Sprintf(" (plan v%d)", r.Treatment.PlanVersion))
	}
	return []string{r.Ref, r.Title, strings.Join(systems, ", "), r.RiskSource.Text(), strings.Join(objectives, "; "),
		r.OwnerName, Label(Statuses, r.Status), inherent, treatment, strings.Join(controls, ", "), residual,
		AcceptanceText(r.Acceptance), r.NextReview}
}

// riskColumns title the risks table.
var riskColumns = []string{"Risk", "Title", "AI systems", "Risk source", "Objectives", "Owner", "Status", "Inherent",
	"Treatment", "Controls", "Residual", "Acceptance", "Next review"}

// actionCells are the rows of the treatment plan: every action of every risk.
func actionCells(risks []Risk) [][]string {
	var out [][]string
	for i := range risks {
		r := &risks[i]
		for _, a := range r.Treatment.Actions {
			status := Label(ActionStatuses, a.Status)
			if a.Overdue {
				status += " (overdue)"
			}
			out = append(out, []string{r.Ref, itoa(a.Number), a.Description, a.OwnerName, a.DueDate, status, a.CompletedDate})
		}
	}
	return out
}

// actionColumns title the treatment plan table.
var actionColumns = []string{"Risk", "Action", "Description", "Owner", "Due", "Status", "Completed"}
