package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/identity"
)

// datasetForm is the form that registers or edits a data set, as typed.
type datasetForm struct {
	Name, Description, OwnerID string
	// Systems are the references of the AI systems ticked.
	Systems []string
	Version string
}

// datasetFormFrom reads a posted data set form.
func datasetFormFrom(v url.Values) datasetForm {
	return datasetForm{Name: v.Get("name"), Description: v.Get("description"), OwnerID: v.Get("owner_id"),
		Systems: v["systems"], Version: v.Get("version")}
}

// datasetFormOf fills the form from a stored data set.
func datasetFormOf(d *dataset.Dataset) datasetForm {
	f := datasetForm{Name: d.Name, Description: d.Description, OwnerID: d.OwnerID, Version: strconv.Itoa(d.Version)}
	for _, s := range d.Systems {
		f.Systems = append(f.Systems, s.Ref)
	}
	return f
}

// systems is the ticked systems, never nil so that unticking every box clears them.
func (f datasetForm) systems() []string {
	if f.Systems == nil {
		return []string{}
	}
	return f.Systems
}

// datasetFormData is what the data set form shows.
type datasetFormData struct {
	// Dataset is the stored data set when editing, nil when registering.
	Dataset *dataset.Dataset
	Form    datasetForm
	Errs    formErrors
	Members []identity.Membership
	Systems []aisystem.System
}

// datasetFields maps the request's fields to the form's controls, for the error summary.
var datasetFields = map[string]string{"name": "name", "description": "description", "owner_id": "owner_id",
	"systems": "systems", "version": "name"}

// action is where the form posts.
func (d datasetFormData) action() string {
	if d.Dataset == nil {
		return "/datasets"
	}
	return "/datasets/" + d.Dataset.Ref
}

func (d datasetFormData) name() field {
	return field{ID: "name", Name: "name", Label: "Name", Type: "text", Value: d.Form.Name, Required: true, Wide: true,
		Hint: "The name people know the data set by, unique in the organisation.", Err: d.Errs.For("name")}
}

func (d datasetFormData) description() field {
	return field{ID: "description", Name: "description", Label: "Description", Type: "textarea", Value: d.Form.Description,
		Rows: 4, Wide: true, Hint: "What the data is about and what it is used for.", Err: d.Errs.For("description")}
}

// owner is the select of the organisation's members.
func (d datasetFormData) owner() field {
	f := field{ID: "owner_id", Name: "owner_id", Label: "Owner", Type: "select",
		Hint: "The person accountable for the data set.", Err: d.Errs.For("owner_id")}
	f.Options = append(f.Options, option{Value: "", Label: "No owner yet", Selected: d.Form.OwnerID == ""})
	found := d.Form.OwnerID == ""
	for _, m := range d.Members {
		sel := strings.EqualFold(m.UserID, d.Form.OwnerID)
		found = found || sel
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: sel})
	}
	if !found {
		name := "A former member"
		if d.Dataset != nil && d.Dataset.OwnerID == d.Form.OwnerID && d.Dataset.OwnerName != "" {
			name = d.Dataset.OwnerName + " (no longer a member)"
		}
		f.Options = append(f.Options, option{Value: d.Form.OwnerID, Label: name, Selected: true})
	}
	return f
}

// systems is the checkbox group of the active AI systems, keeping any ticked one that is not among them.
func (d datasetFormData) systems() field {
	f := field{ID: "systems", Name: "systems", Label: "AI systems that use it",
		Hint: "The AI systems trained, tested or run on this data.", Err: d.Errs.For("systems")}
	shown := map[string]bool{}
	ticked := func(ref string) bool {
		return slices.ContainsFunc(d.Form.Systems, func(s string) bool { return strings.EqualFold(s, ref) })
	}
	for _, s := range d.Systems {
		shown[s.Ref] = true
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: ticked(s.Ref)})
	}
	if d.Dataset != nil {
		for _, s := range d.Dataset.Systems {
			if !shown[s.Ref] && ticked(s.Ref) {
				shown[s.Ref] = true
				f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: true})
			}
		}
	}
	for _, s := range d.Form.Systems {
		if !shown[strings.ToUpper(s)] && strings.TrimSpace(s) != "" {
			f.Options = append(f.Options, option{Value: s, Label: s, Selected: true})
		}
	}
	return f
}

// dsVersionForm is the form that records a data set version, as typed.
type dsVersionForm struct {
	Label, Source, Acquisition, Licence string
	// PersonalData is "yes", "no" or "" when neither was chosen.
	PersonalData string
	// Categories and Preparation are textareas, one item per line.
	Categories, ConsentBasis, Retention, DeleteBy, Preparation string
	DerivedFrom                                                []string
}

// dsVersionFormFrom reads a posted version form.
func dsVersionFormFrom(v url.Values) dsVersionForm {
	return dsVersionForm{Label: v.Get("label"), Source: v.Get("source"), Acquisition: v.Get("acquisition"), Licence: v.Get("licence"),
		PersonalData: v.Get("contains_personal_data"), Categories: v.Get("personal_data_categories"),
		ConsentBasis: v.Get("consent_basis"), Retention: v.Get("retention"), DeleteBy: v.Get("delete_by"),
		Preparation: v.Get("preparation"), DerivedFrom: v["derived_from"]}
}

// dsLines splits a textarea into its non-blank dsLines.
func dsLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// request is the form as a request; a personal data answer that is neither yes nor no is no answer.
func (f dsVersionForm) request() dataset.VersionRequest {
	var pd *bool
	switch f.PersonalData {
	case "yes":
		pd = new(bool)
		*pd = true
	case "no":
		pd = new(bool)
	}
	return dataset.VersionRequest{Label: f.Label, Source: f.Source, Acquisition: f.Acquisition, Licence: f.Licence,
		ContainsPersonalData: pd, PersonalDataCategories: dsLines(f.Categories), ConsentBasis: f.ConsentBasis,
		Retention: f.Retention, DeleteBy: f.DeleteBy, Preparation: dsLines(f.Preparation), DerivedFrom: f.DerivedFrom}
}

// dsVersionFormData is what the version form shows.
type dsVersionFormData struct {
	Dataset *dataset.Dataset
	Form    dsVersionForm
	Errs    formErrors
	// Choices are the versions the new one may be derived from.
	Choices []dataset.VersionLink
}

// dsVersionFields maps the request's fields to the form's controls, for the error summary.
var dsVersionFields = map[string]string{"label": "label", "source": "source", "acquisition": "acquisition", "licence": "licence",
	"contains_personal_data": "contains_personal_data", "personal_data_categories": "personal_data_categories",
	"consent_basis": "consent_basis", "retention": "retention", "delete_by": "delete_by", "preparation": "preparation",
	"derived_from": "derived_from"}

// dsVersionLabels name the version's fields for people.
var dsVersionLabels = map[string]string{"label": "Label", "source": "Source", "acquisition": "Acquisition",
	"licence": "Licence or legal basis", "contains_personal_data": "Personal data",
	"personal_data_categories": "Categories of personal data", "consent_basis": "Lawful basis (GDPR Art. 6)",
	"retention": "Retention", "delete_by": "Delete by", "preparation": "Preparation steps", "derived_from": "Derived from"}

// text is a control of the version form.
func (d dsVersionFormData) text(name, typ, value, hint string, required bool) field {
	f := field{ID: name, Name: name, Label: dsVersionLabels[name], Type: typ, Value: value, Hint: hint, Required: required,
		Err: d.Errs.For(name), Wide: typ != "date"}
	if typ == "textarea" {
		f.Rows = 4
	}
	return f
}

// choice is a select of an enumeration, with an empty first choice.
func (d dsVersionFormData) choice(name, value, hint string, opts []dataset.Option) field {
	f := field{ID: name, Name: name, Label: dsVersionLabels[name], Type: "select", Hint: hint, Err: d.Errs.For(name),
		Required: name == "acquisition", Wide: true}
	f.Options = append(f.Options, option{Value: "", Label: "Choose…", Selected: value == ""})
	for _, o := range opts {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label + " — " + o.Help, Selected: o.Value == value})
	}
	return f
}

// personalData is the required yes-or-no question, with nothing chosen at first.
func (d dsVersionFormData) personalData() field {
	f := field{ID: "contains_personal_data", Name: "contains_personal_data", Label: dsVersionLabels["contains_personal_data"],
		Hint: "Does the data hold information about identified or identifiable people? Say so either way.",
		Err:  d.Errs.For("contains_personal_data"), Required: true}
	f.Options = []option{{Value: "yes", Label: "Yes, it holds personal data", Selected: d.Form.PersonalData == "yes"},
		{Value: "no", Label: "No personal data", Selected: d.Form.PersonalData == "no"}}
	return f
}

// derivedFrom is the checkbox group of the versions to derive from, keeping any chosen one not among them.
func (d dsVersionFormData) derivedFrom() field {
	f := field{ID: "derived_from", Name: "derived_from", Label: dsVersionLabels["derived_from"],
		Hint: "The versions this data was made from (A.7.5), of this or any other data set. Required for derived data.",
		Err:  d.Errs.For("derived_from")}
	shown := map[string]bool{}
	chosen := func(l dataset.VersionLink) bool {
		return slices.ContainsFunc(d.Form.DerivedFrom, func(s string) bool { return strings.EqualFold(s, l.Key) || s == l.ID })
	}
	for _, l := range d.Choices {
		shown[l.Key] = true
		f.Options = append(f.Options, option{Value: l.Key, Label: l.String(), Selected: chosen(l)})
	}
	for _, s := range d.Form.DerivedFrom {
		if s = strings.TrimSpace(s); s != "" && !shown[strings.ToUpper(s)] {
			f.Options = append(f.Options, option{Value: s, Label: s, Selected: true})
		}
	}
	return f
}

// dsProfileForm is the form that uploads a version's file, as typed.
type dsProfileForm struct {
	// Header is "yes" when the first line holds column names, "no" when it is data.
	Header                                   string
	Columns, Separator, Missing, Label       string
	Positive, Sensitive, Reference, FileName string
}

// dsProfileFormOf fills the upload form from the options of a stored profile, or the defaults.
func dsProfileFormOf(p *dataset.StoredProfile) dsProfileForm {
	if p == nil {
		return dsProfileForm{Header: "yes"}
	}
	o := p.Options
	f := dsProfileForm{Header: "yes", Columns: strings.Join(o.Columns, ","), Separator: o.Separator, Missing: strings.Join(o.Missing, ","),
		Label: o.Label, Positive: o.Positive, Sensitive: strings.Join(o.Sensitive, ","), Reference: dataset.ReferenceText(o.Reference)}
	if o.NoHeader {
		f.Header = "no"
	}
	switch f.Separator {
	case "\t":
		f.Separator = "tab"
	case " ":
		f.Separator = "space"
	}
	return f
}

// set records one field of the posted upload form.
func (f *dsProfileForm) set(name, value string) {
	switch name {
	case "header":
		f.Header = value
	case "columns":
		f.Columns = value
	case "separator":
		f.Separator = value
	case "missing":
		f.Missing = value
	case "label":
		f.Label = value
	case "positive":
		f.Positive = value
	case "sensitive":
		f.Sensitive = value
	case "reference":
		f.Reference = value
	}
}

// options are the form's profiling options; reference shares are read apart.
func (f dsProfileForm) options() dataset.ProfileOptions {
	return dataset.ProfileOptions{NoHeader: f.Header == "no", Columns: dataset.SplitList(f.Columns), Separator: f.Separator,
		Missing: dataset.SplitList(f.Missing), Label: f.Label, Positive: f.Positive, Sensitive: dataset.SplitList(f.Sensitive)}
}

// dsProfileFields maps the upload's fields to the form's controls, for the error summary.
var dsProfileFields = map[string]string{"file": "file", "columns": "columns", "separator": "separator", "missing": "missing",
	"label": "label", "positive": "positive", "sensitive": "sensitive", "reference": "reference", "format": "file"}

// dsProfileLabels name the upload form's fields for people.
var dsProfileLabels = map[string]string{"file": "File", "columns": "Column names", "separator": "Separator",
	"missing": "Missing-value markers", "label": "Label column", "positive": "Positive label value",
	"sensitive": "Sensitive features", "reference": "Reference shares", "format": "Format", "header": "First line"}
