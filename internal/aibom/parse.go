package aibom

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/aims-dev/aims/internal/aims"
)

// Contents is what a BOM holds that aims can register. Keys of versions
// and the data set versions they name are the components' bom-refs.
type Contents struct {
	SerialNumber string
	// System is the BOM's subject, when it names one.
	System System
	// Models are grouped by name, ignoring case, each with its versions in the document's order.
	Models []Model
	// Datasets are in an order where every version comes after those it was derived from.
	Datasets []DatasetVersion
	// Notes say what was read differently from the document, such as references to components it lacks.
	Notes []string
}

// Defaults for what aims requires of a data set version and a foreign BOM may not say.
const (
	DefaultSource  = "Not stated in the imported bill of materials"
	DefaultLicence = "Not stated in the imported bill of materials"
)

// Limits on what a BOM may hold, matching those of the model and data set records.
const (
	maxName      = 200
	maxLabel     = 64
	maxCardField = 4000
	maxText      = 2000
	maxLongText  = 10000
	maxItems     = 50
	maxEntries   = 5000
)

var labelPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// Parse reads a CycloneDX JSON BOM. A document that is not one, or whose
// components aims cannot register as they are, is refused with a problem
// for each, named by where it is in the document (components[2].hashes).
func Parse(data []byte) (*Contents, error) {
	var p aims.Problems
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		p.Add("bom", "is not CycloneDX JSON: %v", err)
		return nil, p.Err()
	}
	if bom.BOMFormat != cdx.BOMFormat {
		p.Add("bom", "is not a CycloneDX document: bomFormat must be %q", cdx.BOMFormat)
		return nil, p.Err()
	}
	out := &Contents{SerialNumber: bom.SerialNumber}
	if m := bom.Metadata; m != nil && m.Component != nil {
		out.System = System{Name: m.Component.Name, Purpose: m.Component.Description, Ref: prop(m.Component.Properties, PropRef)}
	}
	var all []located
	if bom.Components != nil {
		flatten(*bom.Components, "components", &all)
	}
	if len(all) > maxEntries {
		p.Add("components", "must be at most %d", maxEntries)
		return nil, p.Err()
	}
	deps := map[string][]string{}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Dependencies != nil {
				deps[d.Ref] = append(deps[d.Ref], *d.Dependencies...)
			}
		}
	}
	isData := map[string]bool{}
	seen := map[string]bool{}
	for i := range all {
		c := all[i].c
		if c.BOMRef == "" {
			all[i].ref = fmt.Sprintf("component-%d", i+1)
		} else {
			all[i].ref = c.BOMRef
		}
		if seen[all[i].ref] {
			p.Add(all[i].at+".bom-ref", "repeats %q: every component needs its own bom-ref", all[i].ref)
		}
		seen[all[i].ref] = true
		if c.Type == cdx.ComponentTypeData {
			isData[all[i].ref] = true
		}
	}
	byName := map[string]int{}
	for _, lc := range all {
		switch lc.c.Type {
		case cdx.ComponentTypeMachineLearningModel:
			name, m, v := readModel(lc, deps, isData, &p, out)
			key := strings.ToLower(strings.Join(strings.Fields(name), " "))
			i, ok := byName[key]
			if !ok {
				i = len(out.Models)
				byName[key] = i
				out.Models = append(out.Models, m)
			}
			if out.Models[i].Description == "" {
				out.Models[i].Description = m.Description
			}
			if out.Models[i].Supplier == nil {
				out.Models[i].Supplier = m.Supplier
			}
			for _, w := range out.Models[i].Versions {
				if strings.EqualFold(w.Label, v.Label) && v.Label != "" {
					p.Add(lc.at+".version", "repeats version %s of the model %s", v.Label, name)
				}
			}
			out.Models[i].Versions = append(out.Models[i].Versions, v)
		case cdx.ComponentTypeData:
			out.Datasets = append(out.Datasets, readData(lc, deps, isData, &p, out))
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	out.Datasets = parentsFirst(out.Datasets)
	return out, nil
}

// located is a component with where it is in the document and its bom-ref.
type located struct {
	c   cdx.Component
	at  string
	ref string
}

func flatten(cs []cdx.Component, at string, out *[]located) {
	for i, c := range cs {
		here := fmt.Sprintf("%s[%d]", at, i)
		*out = append(*out, located{c: c, at: here})
		if c.Components != nil {
			flatten(*c.Components, here+".components", out)
		}
	}
}

// readModel reads a machine-learning-model component as a version of a model.
func readModel(lc located, deps map[string][]string, isData map[string]bool, p *aims.Problems, out *Contents) (string, Model, ModelVersion) {
	c := lc.c
	name := strings.TrimSpace(c.Name)
	checkText(p, lc.at+".name", name, true, maxName)
	m := Model{Name: name, Description: strings.TrimSpace(c.Description), Supplier: supplierOf(c.Supplier)}
	checkText(p, lc.at+".description", m.Description, false, maxLongText)
	v := ModelVersion{Key: lc.ref, Label: strings.TrimSpace(c.Version), Framework: prop(c.Properties, PropFramework),
		Status: prop(c.Properties, PropStatus)}
	switch {
	case v.Label == "":
		p.Add(lc.at+".version", "is required: it is the label of the model version")
	case len(v.Label) > maxLabel || !labelPattern.MatchString(v.Label):
		p.Add(lc.at+".version", "must be a label of letters, digits, '.', '_', '+' and '-', starting with a letter or digit, at most %d characters", maxLabel)
	}
	checkText(p, lc.at+".properties", v.Framework, false, maxName)
	v.Digest = sha256Of(c.Hashes)
	if v.Digest == "" {
		p.Add(lc.at+".hashes", "must hold the SHA-256 of the model artefact (64 hex digits)")
	}
	v.Card.OutOfScopeUses = prop(c.Properties, PropOutOfScope)
	if mc := c.ModelCard; mc != nil {
		if cons := mc.Considerations; cons != nil {
			v.Card.IntendedUse = joinTexts(deref(cons.UseCases))
			v.Card.Limitations = joinTexts(deref(cons.TechnicalLimitations))
			var ethics, biases []string
			for _, e := range deref(cons.EthicalConsiderations) {
				ethics = append(ethics, joinSentence(e.Name, e.MitigationStrategy))
			}
			for _, f := range deref(cons.FairnessAssessments) {
				biases = append(biases, joinSentence(f.GroupAtRisk, f.Harms, f.MitigationStrategy))
			}
			v.Card.EthicalConsiderations, v.Card.KnownBiases = joinTexts(ethics), joinTexts(biases)
		}
		if mp := mc.ModelParameters; mp != nil {
			for _, d := range deref(mp.Datasets) {
				if d.Ref == "" {
					continue
				}
				if isData[d.Ref] {
					v.TrainedOn = append(v.TrainedOn, d.Ref)
				} else {
					out.Notes = append(out.Notes, fmt.Sprintf("%s: the training data %s is not a data component of the document and was left out", lc.at, d.Ref))
				}
			}
		}
	}
	for field, text := range map[string]string{"intended use": v.Card.IntendedUse, "limitations": v.Card.Limitations,
		"ethical considerations": v.Card.EthicalConsiderations, "known biases": v.Card.KnownBiases, "out-of-scope uses": v.Card.OutOfScopeUses} {
		if utf8.RuneCountInString(text) > maxCardField {
			p.Add(lc.at+".modelCard", "has %s longer than %d characters", field, maxCardField)
		}
	}
	for _, ref := range propValues(c.Properties, PropEvaluatedOn) {
		if isData[ref] {
			v.EvaluatedOn = append(v.EvaluatedOn, ref)
		}
	}
	if prop(c.Properties, PropRef) == "" && len(v.EvaluatedOn) == 0 {
		// Another tool's BOM: data the model depends on beyond its training data was used to evaluate it.
		for _, ref := range deps[lc.ref] {
			if isData[ref] && !slices.Contains(v.TrainedOn, ref) {
				v.EvaluatedOn = append(v.EvaluatedOn, ref)
			}
		}
	}
	v.TrainedOn, v.EvaluatedOn = compactRefs(v.TrainedOn), compactRefs(v.EvaluatedOn)
	if len(v.TrainedOn) > maxItems || len(v.EvaluatedOn) > maxItems {
		p.Add(lc.at+".modelCard", "names more than %d data sets", maxItems)
	}
	v.Evaluations = evaluationsOf(lc, isData, out)
	return name, m, v
}

// evaluationsOf reads the evaluation results of a model component: from the
// aims properties when there are any, otherwise from its performance metrics.
func evaluationsOf(lc located, isData map[string]bool, out *Contents) []Evaluation {
	var evs []Evaluation
	for _, raw := range propValues(lc.c.Properties, PropEvaluation) {
		var e Evaluation
		if err := json.Unmarshal([]byte(raw), &e); err != nil || strings.TrimSpace(e.Metric) == "" {
			out.Notes = append(out.Notes, fmt.Sprintf("%s: an %s property that is not an evaluation result was left out", lc.at, PropEvaluation))
			continue
		}
		if e.Dataset != "" && !isData[e.Dataset] {
			e.Dataset = ""
		}
		evs = append(evs, e)
	}
	if len(evs) > 0 || lc.c.ModelCard == nil || lc.c.ModelCard.QuantitativeAnalysis == nil {
		return evs
	}
	for _, m := range deref(lc.c.ModelCard.QuantitativeAnalysis.PerformanceMetrics) {
		val, err := strconv.ParseFloat(strings.TrimSpace(m.Value), 64)
		if strings.TrimSpace(m.Type) == "" || err != nil {
			out.Notes = append(out.Notes, fmt.Sprintf("%s: the performance metric %q = %q is not a named number and was left out", lc.at, m.Type, m.Value))
			continue
		}
		evs = append(evs, Evaluation{Metric: strings.TrimSpace(m.Type), Value: val, Note: m.Slice})
	}
	return evs
}

// readData reads a data component as a data set version.
func readData(lc located, deps map[string][]string, isData map[string]bool, p *aims.Problems, out *Contents) DatasetVersion {
	c := lc.c
	pr := c.Properties
	d := DatasetVersion{Key: lc.ref, DatasetName: strings.TrimSpace(c.Name), Description: strings.TrimSpace(c.Description),
		Label: prop(pr, PropLabel), Source: prop(pr, PropSource), Acquisition: prop(pr, PropAcquisition),
		ConsentBasis: prop(pr, PropConsentBasis), Retention: prop(pr, PropRetention), DeleteBy: prop(pr, PropDeleteBy),
		Preparation: propValues(pr, PropPreparation), SHA256: sha256Of(c.Hashes), Supplier: supplierOf(c.Supplier)}
	checkText(p, lc.at+".name", d.DatasetName, true, maxName)
	checkText(p, lc.at+".description", d.Description, false, maxLongText)
	version := strings.TrimSpace(c.Version)
	if n, err := strconv.Atoi(version); err == nil && n > 0 {
		d.Number = n
	} else if d.Label == "" {
		d.Label = version
	}
	checkText(p, lc.at+".version", d.Label, false, maxName)
	var sensitive []string
	for _, cd := range deref(c.Data) {
		sensitive = append(sensitive, deref(cd.SensitiveData)...)
		if d.Source == "" && cd.Contents != nil {
			d.Source = cd.Contents.URL
		}
	}
	if d.Licence = licenceOf(c.Licenses); d.Licence == "" {
		d.Licence = DefaultLicence
	}
	if d.Source == "" {
		d.Source = DefaultSource
	}
	checkText(p, lc.at+".licenses", d.Licence, true, maxText)
	checkText(p, lc.at+".properties", d.Source, true, maxText)
	for _, ref := range deps[lc.ref] {
		if isData[ref] && ref != lc.ref {
			d.DerivedFrom = append(d.DerivedFrom, ref)
		}
	}
	d.DerivedFrom = compactRefs(d.DerivedFrom)
	switch stated := prop(pr, PropPersonalData); stated {
	case "true", "false":
		d.ContainsPersonalData = stated == "true"
	default:
		d.ContainsPersonalData = len(sensitive) > 0
	}
	if d.ContainsPersonalData {
		d.PersonalDataCategories = compactRefs(sensitive)
		if len(d.PersonalDataCategories) == 0 {
			p.Add(lc.at+".data", "must name the categories of personal data the data holds (sensitiveData)")
		}
		if d.ConsentBasis == "" || d.ConsentBasis == "not_applicable" {
			p.Add(lc.at+".properties", "must give the lawful basis for processing the personal data (property %s)", PropConsentBasis)
		}
		if d.Retention == "" {
			p.Add(lc.at+".properties", "must say how long the personal data is kept (property %s)", PropRetention)
		}
	} else {
		d.ConsentBasis = ""
	}
	if len(d.Preparation) > maxItems || len(d.PersonalDataCategories) > maxItems || len(d.DerivedFrom) > maxItems {
		p.Add(lc.at, "lists more than %d preparation steps, categories or sources", maxItems)
	}
	if d.Acquisition == "" || (d.Acquisition == "derived" && len(d.DerivedFrom) == 0) {
		d.Acquisition = "other"
		if len(d.DerivedFrom) > 0 {
			d.Acquisition = "derived"
		}
	}
	return d
}

// parentsFirst orders data set versions so that each comes after the
// versions it was derived from, keeping the document's order otherwise; a
// cycle, which aims cannot hold, is broken where it is found.
func parentsFirst(ds []DatasetVersion) []DatasetVersion {
	byKey := map[string]int{}
	for i, d := range ds {
		byKey[d.Key] = i
	}
	state := make([]int, len(ds)) // 0 new, 1 visiting, 2 done
	var out []DatasetVersion
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		for _, k := range ds[i].DerivedFrom {
			if j, ok := byKey[k]; ok && state[j] == 0 {
				visit(j)
			}
		}
		state[i] = 2
		out = append(out, ds[i])
	}
	for i := range ds {
		visit(i)
	}
	return out
}

// sha256Of returns the lower-case SHA-256 among hashes, or "".
func sha256Of(hs *[]cdx.Hash) string {
	for _, h := range deref(hs) {
		if h.Algorithm != cdx.HashAlgoSHA256 {
			continue
		}
		v := strings.ToLower(strings.TrimSpace(h.Value))
		if b, err := hex.DecodeString(v); err == nil && len(b) == 32 {
			return v
		}
	}
	return ""
}

func licenceOf(ls *cdx.Licenses) string {
	if ls == nil {
		return ""
	}
	var names []string
	for _, l := range *ls {
		switch {
		case l.License != nil && l.License.Name != "":
			names = append(names, l.License.Name)
		case l.License != nil && l.License.ID != "":
			names = append(names, l.License.ID)
		case l.Expression != "":
			names = append(names, l.Expression)
		}
	}
	return strings.Join(names, "; ")
}

func supplierOf(e *cdx.OrganizationalEntity) *Supplier {
	if e == nil || strings.TrimSpace(e.Name) == "" {
		return nil
	}
	s := &Supplier{Name: strings.TrimSpace(e.Name)}
	if urls := deref(e.URL); len(urls) > 0 {
		s.Web = urls[0]
	}
	if cs := deref(e.Contact); len(cs) > 0 {
		s.ContactName, s.Email = cs[0].Name, cs[0].Email
	}
	if e.Address != nil {
		s.Country = e.Address.Country
	}
	return s
}

// prop returns the first value of the named property, trimmed, or "".
func prop(ps *[]cdx.Property, name string) string {
	for _, p := range deref(ps) {
		if p.Name == name {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}

// propValues returns every non-empty value of the named property, in order.
func propValues(ps *[]cdx.Property, name string) []string {
	var out []string
	for _, p := range deref(ps) {
		if p.Name == name && strings.TrimSpace(p.Value) != "" {
			out = append(out, strings.TrimSpace(p.Value))
		}
	}
	return out
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// compactRefs trims refs and drops blank and repeated ones, keeping the order.
func compactRefs(refs []string) []string {
	var out []string
	for _, r := range refs {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// joinSentence joins the non-empty parts of an entry with ": ".
func joinSentence(parts ...string) string {
	var out []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ": ")
}

func checkText(p *aims.Problems, field, v string, required bool, max int) {
	switch {
	case required && v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}
