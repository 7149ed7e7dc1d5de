package aibom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
)

// serialSpace is the namespace of the name-based UUIDs that serial numbers are.
var serialSpace = uuid.MustParse("0b1f6e38-5a8e-4c35-9a59-7c2f3e6b2d41")

// Bom-ref prefixes of the components aims writes.
const (
	systemPrefix = "system:"
	modelPrefix  = "model:"
	dataPrefix   = "data:"
)

// Export encodes the input's BOM as CycloneDX 1.6 JSON. Its serial number
// is a name-based UUID of everything but the timestamp, so that the same
// records always give the same serial number and the same bytes but for
// the time.
func Export(in Input) ([]byte, error) {
	bom := Build(in)
	stamp := bom.Metadata.Timestamp
	bom.Metadata.Timestamp = ""
	content, err := Encode(bom)
	if err != nil {
		return nil, err
	}
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(serialSpace, content).String()
	bom.Metadata.Timestamp = stamp
	return Encode(bom)
}

// Encode writes a BOM as indented CycloneDX 1.6 JSON.
func Encode(bom *cdx.BOM) ([]byte, error) {
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("cannot encode the AI bill of materials: %w", err)
	}
	return buf.Bytes(), nil
}

// Build returns the BOM of the input, without a serial number: the system as
// metadata.component, then each model version in the order of its model's
// reference and its own age, then each data set version in key order, and a
// dependency entry for each of them.
func Build(in Input) *cdx.BOM {
	bom := cdx.NewBOM()
	sysRef := systemPrefix + in.System.Ref
	sys := cdx.Component{BOMRef: sysRef, Type: cdx.ComponentTypeApplication, Name: in.System.Name,
		Description: in.System.Purpose, Properties: nonEmpty(props(PropRef, in.System.Ref))}
	bom.Metadata = &cdx.Metadata{
		Timestamp: in.Time.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "aims",
			Description: "AI management system for ISO/IEC 42001"}}},
		Component: &sys,
	}
	if in.Organisation != "" {
		bom.Metadata.Manufacturer = &cdx.OrganizationalEntity{Name: in.Organisation}
	}

	models := slices.Clone(in.Models)
	slices.SortStableFunc(models, func(a, b Model) int { return compareNatural(a.Ref, b.Ref) })
	datasets := slices.Clone(in.Datasets)
	slices.SortStableFunc(datasets, func(a, b DatasetVersion) int { return compareNatural(a.Key, b.Key) })
	present := map[string]bool{}
	for _, d := range datasets {
		present[d.Key] = true
	}

	var components []cdx.Component
	deps := map[string][]string{}
	used := map[string]bool{}
	var order []string
	for _, m := range models {
		for _, v := range m.Versions {
			c := modelComponent(m, v, present)
			components = append(components, c)
			order = append(order, c.BOMRef)
			deps[sysRef] = append(deps[sysRef], c.BOMRef)
			for _, k := range append(slices.Clone(v.TrainedOn), v.EvaluatedOn...) {
				if present[k] {
					deps[c.BOMRef] = append(deps[c.BOMRef], dataPrefix+k)
					used[k] = true
				}
			}
		}
	}
	for _, d := range datasets {
		c := dataComponent(d)
		components = append(components, c)
		order = append(order, c.BOMRef)
		for _, k := range d.DerivedFrom {
			if present[k] {
				deps[c.BOMRef] = append(deps[c.BOMRef], dataPrefix+k)
				used[k] = true
			}
		}
	}
	// Data that no model version or other data depends on is the system's own.
	for _, d := range datasets {
		if !used[d.Key] {
			deps[sysRef] = append(deps[sysRef], dataPrefix+d.Key)
		}
	}
	if len(components) > 0 {
		bom.Components = &components
	}
	dependencies := []cdx.Dependency{}
	for _, ref := range append([]string{sysRef}, order...) {
		on := dedupe(deps[ref])
		d := cdx.Dependency{Ref: ref}
		if len(on) > 0 {
			d.Dependencies = &on
		}
		dependencies = append(dependencies, d)
	}
	bom.Dependencies = &dependencies
	return bom
}

// modelComponent is the machine-learning-model component of a model version.
func modelComponent(m Model, v ModelVersion, present map[string]bool) cdx.Component {
	c := cdx.Component{BOMRef: modelPrefix + v.Key, Type: cdx.ComponentTypeMachineLearningModel, Name: m.Name,
		Version: v.Label, Description: m.Description, Supplier: entity(m.Supplier)}
	if v.Digest != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: v.Digest}}
	}
	card := &cdx.MLModelCard{}
	var trained []cdx.MLDatasetChoice
	for _, k := range v.TrainedOn {
		if present[k] {
			trained = append(trained, cdx.MLDatasetChoice{Ref: dataPrefix + k})
		}
	}
	if len(trained) > 0 {
		card.ModelParameters = &cdx.MLModelParameters{Datasets: &trained}
	}
	var metrics []cdx.MLPerformanceMetric
	for _, e := range v.Evaluations {
		metrics = append(metrics, cdx.MLPerformanceMetric{Type: e.Metric, Value: strconv.FormatFloat(e.Value, 'g', -1, 64)})
	}
	if len(metrics) > 0 {
		card.QuantitativeAnalysis = &cdx.MLQuantitativeAnalysis{PerformanceMetrics: &metrics}
	}
	cons := &cdx.MLModelCardConsiderations{}
	some := false
	if t := v.Card.IntendedUse; t != "" {
		cons.UseCases, some = &[]string{t}, true
	}
	if t := v.Card.Limitations; t != "" {
		cons.TechnicalLimitations, some = &[]string{t}, true
	}
	if t := v.Card.EthicalConsiderations; t != "" {
		cons.EthicalConsiderations, some = &[]cdx.MLModelCardEthicalConsideration{{Name: t}}, true
	}
	if t := v.Card.KnownBiases; t != "" {
		cons.FairnessAssessments, some = &[]cdx.MLModelCardFairnessAssessment{{Harms: t}}, true
	}
	if some {
		card.Considerations = cons
	}
	if card.ModelParameters != nil || card.QuantitativeAnalysis != nil || card.Considerations != nil {
		c.ModelCard = card
	}
	p := props(PropRef, v.Key, PropStatus, v.Status, PropFramework, v.Framework, PropOutOfScope, v.Card.OutOfScopeUses)
	for _, k := range v.EvaluatedOn {
		if present[k] {
			p = append(p, cdx.Property{Name: PropEvaluatedOn, Value: dataPrefix + k})
		}
	}
	for _, e := range v.Evaluations {
		if e.Dataset != "" {
			if !present[e.Dataset] {
				e.Dataset = ""
			} else {
				e.Dataset = dataPrefix + e.Dataset
			}
		}
		b, _ := json.Marshal(e) // a struct of strings and a finite float always encodes
		p = append(p, cdx.Property{Name: PropEvaluation, Value: string(b)})
	}
	c.Properties = nonEmpty(p)
	return c
}

// dataComponent is the data component of a data set version.
func dataComponent(d DatasetVersion) cdx.Component {
	c := cdx.Component{BOMRef: dataPrefix + d.Key, Type: cdx.ComponentTypeData, Name: d.DatasetName,
		Version: strconv.Itoa(d.Number), Description: d.Description, Supplier: entity(d.Supplier)}
	if d.SHA256 != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: d.SHA256}}
	}
	if d.Licence != "" {
		c.Licenses = &cdx.Licenses{{License: &cdx.License{Name: d.Licence}}}
	}
	data := cdx.ComponentData{Type: cdx.ComponentDataTypeDataset, Name: d.Key, Description: d.Label,
		Classification: "no personal data"}
	if d.ContainsPersonalData {
		data.Classification = "personal data"
		cats := slices.Clone(d.PersonalDataCategories)
		data.SensitiveData = &cats
	}
	if strings.HasPrefix(d.Source, "https://") || strings.HasPrefix(d.Source, "http://") {
		data.Contents = &cdx.ComponentDataContents{URL: d.Source}
	}
	gov := &cdx.DataGovernance{}
	if d.Owner != "" {
		gov.Owners = &[]cdx.ComponentDataGovernanceResponsibleParty{{Contact: &cdx.OrganizationalContact{Name: d.Owner}}}
	}
	if d.Supplier != nil {
		gov.Custodians = &[]cdx.ComponentDataGovernanceResponsibleParty{{Organization: entity(d.Supplier)}}
	}
	if gov.Owners != nil || gov.Custodians != nil {
		data.Governance = gov
	}
	c.Data = &[]cdx.ComponentData{data}
	personal := "false"
	if d.ContainsPersonalData {
		personal = "true"
	}
	p := props(PropRef, d.Key, PropLabel, d.Label, PropSource, d.Source, PropAcquisition, d.Acquisition,
		PropPersonalData, personal, PropConsentBasis, d.ConsentBasis, PropRetention, d.Retention, PropDeleteBy, d.DeleteBy)
	for _, s := range d.Preparation {
		p = append(p, cdx.Property{Name: PropPreparation, Value: s})
	}
	c.Properties = nonEmpty(p)
	return c
}

// entity is a supplier as a CycloneDX organisation, or nil.
func entity(s *Supplier) *cdx.OrganizationalEntity {
	if s == nil || s.Name == "" {
		return nil
	}
	e := &cdx.OrganizationalEntity{Name: s.Name}
	if s.Web != "" {
		e.URL = &[]string{s.Web}
	}
	if s.ContactName != "" || s.Email != "" {
		e.Contact = &[]cdx.OrganizationalContact{{Name: s.ContactName, Email: s.Email}}
	}
	if s.Country != "" {
		e.Address = &cdx.PostalAddress{Country: s.Country}
	}
	return e
}

// props makes properties of name, value pairs, leaving out empty values.
func props(pairs ...string) []cdx.Property {
	var out []cdx.Property
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, cdx.Property{Name: pairs[i], Value: pairs[i+1]})
		}
	}
	return out
}

func nonEmpty(p []cdx.Property) *[]cdx.Property {
	if len(p) == 0 {
		return nil
	}
	return &p
}

// dedupe sorts refs naturally and drops repeats.
func dedupe(refs []string) []string {
	out := slices.Clone(refs)
	slices.SortFunc(out, compareNatural)
	return slices.Compact(out)
}

func compareNatural(a, b string) int {
	switch {
	case naturalLess(a, b):
		return -1
	case naturalLess(b, a):
		return 1
	}
	return 0
}
