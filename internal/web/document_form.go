package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/identity"
)

func init() {
	for k, v := range documentActionLabels {
		actionLabels[k] = v
	}
}

// documentActionLabels describe the audit actions of documents for people.
var documentActionLabels = map[string]string{
	document.ActionCreate:       "Wrote the document",
	document.ActionUpdate:       "Changed the document's details",
	document.ActionDraft:        "Started a draft version",
	document.ActionDraftUpdate:  "Changed the draft",
	document.ActionDraftDiscard: "Discarded the draft",
	document.ActionApprove:      "Approved a version, which is now in force",
	document.ActionReview:       "Reviewed the version in force: no change",
	document.ActionArchive:      "Withdrew the document",
	document.ActionRestore:      "Restored the document",
	document.ActionAcknowledge:  "Acknowledged having read the document",
}

// documentLabels name the fields of documents where the general names do not fit.
var documentLabels = map[string]string{
	"title": "Title", "kind": "Kind", "owner_id": "Owner", "review_months": "Review every (months)", "clauses": "Clauses addressed",
	"controls": "Controls addressed", "distribution": "Distributed to", "text": "Text", "change_note": "Change note",
	"revision": "Draft revision", "number": "Version", "note": "Note", "reason": "Reason", "next_review_on": "Next review",
	"last_reviewed_on": "Last reviewed", "text_sha256": "SHA-256 of the text", "characters": "Characters", "in_force": "Version in force",
	"archive_reason": "Reason for withdrawal", "user_id": "Person",
}

// documentLabel names a field for people; clauses[1] is the second clause.
func documentLabel(f string) string {
	base, rest, indexed := strings.Cut(f, "[")
	if l, ok := documentLabels[base]; ok {
		if indexed {
			if n, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil {
				return l + " (item " + strconv.Itoa(n+1) + ")"
			}
		}
		return l
	}
	return fieldLabel(f)
}

// documentErr is the message of a field and of its items, such as clauses and clauses[1].
func documentErr(errs formErrors, name string) string {
	var msgs []string
	for _, f := range errs.Fields {
		switch {
		case f.Field == name:
			msgs = append(msgs, f.Message)
		case strings.HasPrefix(f.Field, name+"["):
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f.Field, name+"["), "]")); err == nil {
				msgs = append(msgs, "item "+strconv.Itoa(n+1)+" "+f.Message)
			} else {
				msgs = append(msgs, f.Message)
			}
		}
	}
	return strings.Join(msgs, "; ")
}

// documentSummary lists a form's problems, linking each to its control.
func documentSummary(fe formErrors, prefix string, fields []string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		base, _, _ := strings.Cut(f.Field, "[")
		it := summaryItem{Text: documentLabel(f.Field) + " " + f.Message}
		if slices.Contains(fields, base) {
			it.Href = "#" + prefix + base
		}
		out = append(out, it)
	}
	return out
}

// docField is a control of a document form.
func docField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + name, Name: name, Label: documentLabel(name), Type: typ, Value: value, Hint: hint,
		Err: documentErr(errs, name), Wide: typ == "textarea"}
}

// docSplitList reads a list typed with commas, semicolons, spaces or lines.
func docSplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// documentForm is the form of a document's details (and, for a new one, its first text), as typed.
type documentForm struct {
	Title, Kind, OwnerID, ReviewMonths, Clauses, Controls, Text, ChangeNote, Version string
	Distribution                                                                     []string
}

func documentFormFrom(v url.Values) documentForm {
	return documentForm{Title: v.Get("title"), Kind: v.Get("kind"), OwnerID: v.Get("owner_id"), ReviewMonths: v.Get("review_months"),
		Clauses: v.Get("clauses"), Controls: v.Get("controls"), Text: v.Get("text"), ChangeNote: v.Get("change_note"),
		Version: v.Get("version"), Distribution: v["distribution"]}
}

func documentFormOf(d *document.Document) documentForm {
	ids := func(items []document.Item) string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.ID
		}
		return strings.Join(out, ", ")
	}
	return documentForm{Title: d.Title, Kind: d.Kind, OwnerID: d.OwnerID, ReviewMonths: strconv.Itoa(d.ReviewMonths),
		Clauses: ids(d.Clauses), Controls: ids(d.Controls), Distribution: d.Distribution, Version: strconv.Itoa(d.Version)}
}

func (f documentForm) create() document.CreateRequest {
	dist := f.Distribution
	if len(dist) == 0 {
		// Nothing ticked is a choice the service refuses, not a distribution left out (which means everyone).
		dist = []string{""}
	}
	return document.CreateRequest{Title: f.Title, Kind: f.Kind, OwnerID: f.OwnerID, ReviewMonths: formInt(f.ReviewMonths),
		Clauses: docSplitList(f.Clauses), Controls: docSplitList(f.Controls), Distribution: dist, Text: f.Text, ChangeNote: f.ChangeNote}
}

func (f documentForm) update() document.UpdateRequest {
	clauses, controls, dist, months := docSplitList(f.Clauses), docSplitList(f.Controls), f.Distribution, formInt(f.ReviewMonths)
	if dist == nil {
		dist = []string{}
	}
	return document.UpdateRequest{Version: formInt(f.Version), Title: &f.Title, Kind: &f.Kind, OwnerID: &f.OwnerID, ReviewMonths: &months,
		Clauses: &clauses, Controls: &controls, Distribution: &dist}
}

// documentFormData is what the form of a document's details shows.
type documentFormData struct {
	// Doc is the stored document when editing, nil when writing a new one.
	Doc     *document.Document
	Form    documentForm
	Members []identity.Membership
	Errs    formErrors
}

var documentFormFields = []string{"title", "kind", "owner_id", "review_months", "clauses", "controls", "distribution", "text", "change_note"}

func (d documentFormData) action() string {
	if d.Doc == nil {
		return "/documents"
	}
	return "/documents/" + d.Doc.Ref
}

func (d documentFormData) field(name, typ, value, hint string) field {
	f := docField("doc-", name, typ, value, hint, d.Errs)
	f.Required = name == "title" || name == "kind"
	if name == "text" {
		f.Rows = 18
	}
	return f
}

func (d documentFormData) kind() field {
	f := d.field("kind", "select", d.Form.Kind, "An AI policy is the organisation's one AI policy in force (5.2).")
	for _, o := range document.Kinds {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Selected: o.Value == d.Form.Kind})
	}
	return f
}

// owner chooses among the members who may keep the document current, and
// the present owner whatever their role.
func (d documentFormData) owner() field {
	f := d.field("owner_id", "select", d.Form.OwnerID, "Accountable for the document and its reviews: an owner, manager or contributor.")
	for _, m := range d.Members {
		if m.Role == aims.RoleOwner || m.Role == aims.RoleManager || m.Role == aims.RoleContributor || m.UserID == d.Form.OwnerID {
			f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: m.UserID == d.Form.OwnerID})
		}
	}
	return f
}

// distribution offers everyone or a set of roles.
func (d documentFormData) distribution() field {
	f := d.field("distribution", "checkbox", "", "Who must read and acknowledge the version in force: everyone, or the members of the roles ticked.")
	f.Options = append(f.Options, option{Value: document.Everyone, Label: "Everyone", Selected: slices.Contains(d.Form.Distribution, document.Everyone)})
	for _, r := range document.Roles() {
		f.Options = append(f.Options, option{Value: r, Label: roleLabel(aims.Role(r)) + "s", Selected: slices.Contains(d.Form.Distribution, r)})
	}
	return f
}

// docKindLabel words a document's kind.
func docKindLabel(k string) string { return document.Label(document.Kinds, k) }
