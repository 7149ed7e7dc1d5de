package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/impact"
)

// printAssessments writes a table of assessments, with the reasons of
// those due for review beneath.
func printAssessments(w, errw io.Writer, p *impact.Page, dueOnly bool) {
	if len(p.Items) == 0 {
		if dueOnly {
			fmt.Fprintln(errw, "no impact assessment is due for review")
		} else {
			fmt.Fprintln(errw, "no impact assessments match")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSYSTEM\tTEMPLATE\tSTATUS\tVERSION\tNEXT REVIEW\tIMPACTS\tTITLE")
	for _, a := range p.Items {
		status := impact.Label(impact.Statuses, a.Status)
		if a.Due {
			status += ", review due"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s v%d\t%s\t%s\t%s\t%d\t%s\n", a.Ref, a.SystemRef, a.Template.Key, a.Template.Version, status,
			versionWord(a.LatestVersion), soaDash(a.NextReviewDate), a.Impacts, oneLine(a.Title, 50))
	}
	tw.Flush()
	for _, a := range p.Items {
		for _, r := range a.DueReasons {
			fmt.Fprintf(w, "%s review due: %s\n", a.Ref, r.Text)
		}
	}
	if p.Total > len(p.Items) {
		fmt.Fprintf(errw, "%d of %d shown; use --limit to see more\n", len(p.Items), p.Total)
	}
}

func versionWord(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("v%d", n)
}

// printAssessment writes an assessment: what it is, whether it is due, its
// questions with their answers and its impacts.
func printAssessment(w io.Writer, a *impact.Assessment) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Assessment\t%s %s\n", a.Ref, a.Title)
	fmt.Fprintf(tw, "AI system\t%s %s\n", a.SystemRef, a.SystemName)
	if a.ModelVersion != "" {
		fmt.Fprintf(tw, "Model version\t%s\n", a.ModelVersion)
	}
	fmt.Fprintf(tw, "Template\t%s v%d (%s)\n", a.Template.Key, a.Template.Version, a.Template.Name)
	fmt.Fprintf(tw, "Status\t%s (version %d)\n", impact.Label(impact.Statuses, a.Status), a.Version)
	if a.LatestVersion > 0 {
		fmt.Fprintf(tw, "Approved\tversion %d, %s\n", a.LatestVersion, a.ApprovedAt.UTC().Format(time.RFC3339))
		fmt.Fprintf(tw, "Next review\t%s\n", a.NextReviewDate)
	}
	if a.Review != nil {
		fmt.Fprintf(tw, "Last review\t%s by %s: %s\n", a.Review.Action, a.Review.ByName, soaDash(a.Review.Note))
	}
	tw.Flush()
	for _, r := range a.DueReasons {
		fmt.Fprintf(w, "REVIEW DUE: %s\n", r.Text)
	}
	printAnswers(w, a.Sections, a.Answers, a.Impacts)
	fmt.Fprintln(w)
	printImpacts(w, a.Impacts)
	fmt.Fprintf(w, "\nResidual concerns: %s\n", soaDash(a.ResidualConcerns))
	fmt.Fprintln(w, missingWords(a.Missing))
}

// printAnswers writes each section's questions with their answers.
func printAnswers(w io.Writer, sections []impact.Section, answers map[string]string, impacts []impact.Impact) {
	for _, s := range sections {
		fmt.Fprintf(w, "\n%s %s\n", s.Ref, s.Title)
		for _, q := range s.Questions {
			req := ""
			if q.Required {
				req = " (required)"
			}
			fmt.Fprintf(w, "  %s%s: %s\n", q.ID, req, q.Text)
			switch {
			case q.Type == impact.TypeImpacts:
				fmt.Fprintf(w, "    → %d impact(s), listed below\n", len(impacts))
			case answers[q.ID] != "":
				fmt.Fprintf(w, "    → %s\n", strings.ReplaceAll(impact.AnswerText(&q, answers[q.ID]), "\n", "\n      "))
			default:
				fmt.Fprintf(w, "    → -%s\n", choices(&q))
			}
		}
	}
}

// choices words a choice or scale question's allowed answers.
func choices(q *impact.Question) string {
	var vs []string
	switch q.Type {
	case impact.TypeChoice:
		for _, o := range q.Options {
			vs = append(vs, o.Value)
		}
	case impact.TypeScale:
		for i, l := range q.Scale {
			vs = append(vs, fmt.Sprintf("%d=%s", i+1, l))
		}
	default:
		return ""
	}
	return "  (one of: " + strings.Join(vs, ", ") + ")"
}

// printImpacts writes a table of impacts with their risks.
func printImpacts(w io.Writer, impacts []impact.Impact) {
	if len(impacts) == 0 {
		fmt.Fprintln(w, "No impacts listed.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tWHO\tHARM\tSEVERITY\tLIKELIHOOD\tREVERSIBILITY\tSCALE\tRISKS")
	for _, i := range impacts {
		var risks []string
		for _, r := range i.Risks {
			risks = append(risks, r.Ref)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i.Number, oneLine(i.Group, 30), oneLine(i.Harm, 50), i.Severity, i.Likelihood,
			i.Reversibility, i.Scale, soaDash(strings.Join(risks, ",")))
	}
	tw.Flush()
}

// printImpactVersion writes an approved version with its checkpoint.
func printImpactVersion(w io.Writer, v *impact.Version) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Organisation\t%s\n", v.Organisation)
	fmt.Fprintf(tw, "Assessment\t%s %s\n", v.AssessmentRef, v.Title)
	fmt.Fprintf(tw, "AI system\t%s %s\n", v.SystemRef, v.SystemName)
	if v.ModelVersion != "" {
		fmt.Fprintf(tw, "Model version\t%s\n", v.ModelVersion)
	}
	fmt.Fprintf(tw, "Template\t%s v%d (%s)\n", v.Template.Key, v.Template.Version, v.Template.Name)
	fmt.Fprintf(tw, "Version\t%d\n", v.Number)
	fmt.Fprintf(tw, "Approved by\t%s\n", v.ApprovedByName)
	fmt.Fprintf(tw, "Approved at\t%s\n", v.ApprovedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(tw, "Next review\t%s\n", v.NextReviewDate)
	fmt.Fprintf(tw, "Note\t%s\n", soaDash(v.Note))
	tw.Flush()
	if v.Checkpoint != nil {
		fmt.Fprintf(w, "Signed checkpoint:\n%s", v.Checkpoint.Note)
	}
	printAnswers(w, v.Sections, v.Answers, v.Impacts)
	fmt.Fprintln(w)
	printImpacts(w, v.Impacts)
	fmt.Fprintf(w, "\nResidual concerns: %s\n", soaDash(v.ResidualConcerns))
}

// printTemplates writes a table of templates.
func printTemplates(w io.Writer, ts []impact.TemplateSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVERSION\tSTATUS\tSECTIONS\tQUESTIONS\tBASED ON\tNAME")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\tv%d\t%s\t%d\t%d\t%s\t%s\n", t.Key, t.Version, t.Status, t.Sections, t.Questions, soaDash(t.BasedOn), t.Name)
	}
	tw.Flush()
}

// printTemplate writes a template's questions.
func printTemplate(w io.Writer, t *impact.Template) {
	fmt.Fprintf(w, "%s v%d (latest v%d): %s\n", t.Key, t.Version, t.Latest, t.Name)
	if t.Description != "" {
		fmt.Fprintln(w, t.Description)
	}
	for _, s := range t.Sections {
		fmt.Fprintf(w, "\n%s %s\n", s.Ref, s.Title)
		for _, q := range s.Questions {
			req := ""
			if q.Required {
				req = ", required"
			}
			fmt.Fprintf(w, "  %s (%s%s): %s%s\n", q.ID, q.Type, req, q.Text, choices(&q))
		}
	}
}
