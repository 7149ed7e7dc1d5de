package web

import (
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
)

// maxRadios is the most options a choice shows as radio buttons; more make a select.
const maxRadios = 6

// questionID is the id of a question's control on the page.
func questionID(id string) string { return "q-" + id }

// questionField is a question of the questionnaire as a form control, with
// its answer as typed and its problem.
func (d impactPageData) questionField(q impact.Question) field {
	f := field{ID: questionID(q.ID), Name: "a." + q.ID, Label: q.Text, Value: d.Answers.Values[q.ID], Required: q.Required,
		Err: d.Answers.Errs.For("answers." + q.ID), Wide: true, Hint: q.Help}
	if q.Ref != "" {
		f.Hint = strings.TrimSpace(q.Ref + " · " + q.Help)
		f.Hint = strings.TrimSuffix(f.Hint, " ·")
	}
	switch q.Type {
	case impact.TypeText:
		f.Type, f.Rows = "textarea", 3
	case impact.TypeChoice:
		f.Type = "radio"
		if len(q.Options) > maxRadios {
			f.Type = "select"
		}
		f.Options = []option{{Value: "", Label: "Not answered", Selected: f.Value == ""}}
		for _, o := range q.Options {
			f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Selected: o.Value == f.Value})
		}
	case impact.TypeScale:
		f.Type = "radio"
		f.Options = []option{{Value: "", Label: "Not answered", Selected: f.Value == ""}}
		for i, l := range q.Scale {
			n := strconv.Itoa(i + 1)
			f.Options = append(f.Options, option{Value: n, Label: n + " · " + l, Selected: n == strings.TrimSpace(f.Value)})
		}
	}
	return f
}

// optionID is the id of one radio button of a group.
func optionID(f field, value string) string {
	if value == "" {
		return f.ID + "-none"
	}
	return f.ID + "-" + value
}

// editable reports whether the person may change the assessment now.
func (d impactPageData) editable(v view) bool {
	return v.Can(identity.ActImpactEdit) && d.A.Status != impact.StatusInReview
}

// reviewFormShown reports whether the review form that was sent is on the
// page now, to show its problems beside it; otherwise they show at the top.
func (d impactPageData) reviewFormShown(v view) bool {
	switch d.Review.Which {
	case "submit":
		return d.A.Status == impact.StatusDraft && v.Can(identity.ActImpactEdit)
	case "approve", "return":
		return d.A.Status == impact.StatusInReview && v.Can(identity.ActImpactApprove)
	}
	return false
}

// answerIDs maps the questionnaire's fields to their controls.
func answerIDs(field string) string {
	if id, ok := strings.CutPrefix(field, "answers."); ok {
		return questionID(id)
	}
	switch field {
	case "title", "residual_concerns":
		return field
	case "version":
		return "title"
	}
	return ""
}

// reviewIDs maps a review form's fields to their controls.
func (f reviewForm) ids(field string) string {
	switch {
	case strings.HasPrefix(field, "answers."):
		return questionID(strings.TrimPrefix(field, "answers."))
	case field == "impacts":
		return "impacts"
	case field == "note":
		return f.Which + "-note"
	case field == "next_review_date":
		return "next_review_date"
	}
	return ""
}

// errsFor are the problems of the review form that was sent, if it is which.
func (f reviewForm) errsFor(which string) formErrors {
	if f.Which == which {
		return f.Errs
	}
	return formErrors{}
}

// noteField is the note of a review form.
func (f reviewForm) noteField(which, label, hint string, required bool) field {
	fl := field{ID: which + "-note", Name: "note", Label: label, Type: "textarea", Rows: 2, Wide: true, Hint: hint, Required: required}
	if f.Which == which {
		fl.Value, fl.Err = f.Note, f.Errs.For("note")
	}
	return fl
}

// nextReviewField is the approval's next review date.
func (f reviewForm) nextReviewField() field {
	return field{ID: "next_review_date", Name: "next_review_date", Label: "Next review date", Type: "date", Value: f.NextReview,
		Hint: "When the assessment is reviewed again (ISO/IEC 42001 8.4); by default one year from today.", Err: f.errsFor("approve").For("next_review_date")}
}

// impactFields are an impact form's controls; prefix tells forms on one page apart.
func (f impactForm) fields(prefix string) []field {
	fl := func(name, typ, value, hint string, required bool, opts []impact.Option) field {
		x := field{ID: prefix + name, Name: name, Label: impactFieldLabels[name], Type: typ, Value: value, Hint: hint,
			Required: required, Err: f.Errs.For(name)}
		if opts != nil {
			x.Options = impactOptions("Choose", opts, value)
		}
		return x
	}
	mit := fl("mitigation", "textarea", f.Mitigation, "What is done, or will be done, to prevent or lessen the harm.", false, nil)
	mit.Rows, mit.Wide = 2, true
	harm := fl("harm", "textarea", f.Harm, "What harm may come to them.", true, nil)
	harm.Rows, harm.Wide = 2, true
	return []field{
		fl("group", "text", f.Group, "A person, group or category of persons, such as job applicants.", true, nil),
		harm,
		fl("severity", "select", f.Severity, "How bad the harm would be for those it reaches.", true, impact.Severities),
		fl("likelihood", "select", f.Likelihood, "How likely it is in the system's use.", true, impact.Likelihoods),
		fl("reversibility", "select", f.Reversibility, "Whether the harm can be undone.", true, impact.Reversibilities),
		fl("scale", "select", f.Scale, "How widely it reaches.", true, impact.Scales),
		mit,
	}
}

// impactIDs maps an impact form's fields to their controls.
func impactIDs(prefix string) func(string) string {
	return func(field string) string {
		switch field {
		case "group", "harm", "severity", "likelihood", "reversibility", "scale", "mitigation":
			return prefix + field
		}
		return ""
	}
}

// impactsAnchor is the element of the questionnaire where the impacts are listed.
func impactsQuestionNote(n int) string {
	switch n {
	case 0:
		return "No impacts are listed yet: add them in the table of impacts below."
	case 1:
		return "1 impact is listed in the table of impacts below."
	}
	return strconv.Itoa(n) + " impacts are listed in the table of impacts below."
}

// riskHref links a risk of the register.
func riskHref(ref string) string { return "/risks/" + ref }

// scaleWords words an impact's rating in one line.
func ratingWords(i impact.Impact) string {
	return impact.Label(impact.Likelihoods, i.Likelihood) + " · " + impact.Label(impact.Reversibilities, i.Reversibility) + " · " +
		impact.Label(impact.Scales, i.Scale)
}

// answerShown words an answer for reading, or "" when there is none.
func answerShown(q impact.Question, answers map[string]string) string {
	v := answers[q.ID]
	if v == "" {
		return ""
	}
	return impact.AnswerText(&q, v)
}

// missingLinks are the unanswered required questions, for the submission card.
func missingLinks(a *impact.Assessment) []option {
	var out []option
	for _, id := range a.Missing {
		q, _ := a.Question(id)
		href := "#" + questionID(id)
		if q != nil && q.Type == impact.TypeImpacts {
			href = "#impacts"
		}
		label := id
		if q != nil {
			label = excerpt(q.Text, 70)
		}
		out = append(out, option{Value: href, Label: label})
	}
	return out
}

// templateChoices are the templates to start from, each with its description.
func templateChoices(ts []impact.TemplateSummary, chosen string) []option {
	out := make([]option, 0, len(ts))
	for _, t := range ts {
		out = append(out, option{Value: t.Key, Label: t.Name + " (" + t.Key + ", version " + strconv.Itoa(t.Version) + ")",
			Hint: t.Description, Selected: strings.EqualFold(t.Key, chosen)})
	}
	return out
}
