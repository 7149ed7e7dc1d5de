package impact

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// File is an export ready to be downloaded.
type File struct {
	// Name is the file name offered, such as IA-3-v2.pdf or IA-3-draft.pdf.
	Name        string
	ContentType string
	Data        []byte
}

// Export renders an assessment as a PDF: approved version number, or for
// number 0 the latest approved version when the assessment is approved and
// unchanged since, else its working content marked DRAFT.
func (s *Service) Export(ctx context.Context, actor *aims.Actor, key string, number int) (*File, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if number < 0 {
		return nil, invalid("version", "must be a version number, or 0 for the current content")
	}
	a, err := s.get(ctx, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	if number == 0 && a.Status == StatusApproved {
		number = a.LatestVersion
	}
	var v *Version
	if number > 0 {
		v, err = s.version(ctx, s.db, actor.OrgID, a.ID, number)
	} else {
		v, err = s.working(ctx, actor.OrgID, a)
	}
	if err != nil {
		return nil, err
	}
	data, err := renderPDF(v)
	if err != nil {
		return nil, fmt.Errorf("cannot export %s as PDF: %w", a.Ref, err)
	}
	name := a.Ref + "-draft.pdf"
	if !v.Draft {
		name = a.Ref + "-v" + itoa(v.Number) + ".pdf"
	}
	return &File{Name: name, ContentType: "application/pdf", Data: data}, nil
}

// meta is a version's description, as label and value pairs.
func meta(v *Version) [][2]string {
	out := [][2]string{
		{"Organisation", v.Organisation},
		{"AI system", strings.TrimSpace(v.SystemRef + " " + v.SystemName)},
	}
	if v.ModelVersion != "" {
		out = append(out, [2]string{"Model version", v.ModelVersion})
	}
	out = append(out, [][2]string{
		{"Assessment", v.AssessmentRef + " " + v.Title},
		{"Template", v.Template.Name + " (" + v.Template.Key + ", version " + itoa(v.Template.Version) + ")"},
	}...)
	if v.Draft {
		out = append(out, [2]string{"Version", "DRAFT (not approved)"})
		if v.NextReviewDate != "" {
			out = append(out, [2]string{"Next review", v.NextReviewDate + " (set at the latest approval)"})
		}
		return out
	}
	out = append(out, [2]string{"Version", itoa(v.Number)}, [2]string{"Approved by", v.ApprovedByName},
		[2]string{"Approved at", v.ApprovedAt.UTC().Format("2006-01-02 15:04:05 UTC")}, [2]string{"Next review", v.NextReviewDate})
	if v.Note != "" {
		out = append(out, [2]string{"Approval note", v.Note})
	}
	return out
}

// riskRefs lists an impact's linked risks: "RISK-1 Title, RISK-4".
func riskRefs(i *Impact) string {
	var out []string
	for _, r := range i.Risks {
		out = append(out, strings.TrimSpace(r.Ref+" "+r.Title))
	}
	return strings.Join(out, "; ")
}
