package aibom_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/google/go-cmp/cmp"
)

const (
	modelDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	fileDigest  = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
)

// sample is a credit-scoring system whose model version was trained on a
// data set version derived from a supplied one and evaluated on another.
func sample() aibom.Input {
	dataCo := &aibom.Supplier{Name: "DataCo", ContactName: "Sales", Email: "sales@dataco.example", Web: "https://dataco.example", Country: "DE"}
	return aibom.Input{
		Organisation: "Acme Bank",
		System:       aibom.System{Ref: "SYS-1", Name: "Credit scoring", Purpose: "Score consumer credit applications"},
		Time:         time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Models: []aibom.Model{{Ref: "MDL-1", Name: "Credit scorer", Description: "Gradient boosting",
			Supplier: &aibom.Supplier{Name: "ModelWorks"},
			Versions: []aibom.ModelVersion{{Key: "MDL-1@1.0.0", Label: "1.0.0", Digest: modelDigest, Framework: "scikit-learn 1.5",
				Status: "approved", TrainedOn: []string{"DS-2@1"}, EvaluatedOn: []string{"DS-10@1"},
				Card: aibom.Card{IntendedUse: "Score applications.", OutOfScopeUses: "Employment decisions.",
					Limitations: "Few young applicants.", KnownBiases: "Lower recall for women.", EthicalConsiderations: "Human review of refusals."},
				Evaluations: []aibom.Evaluation{{Metric: "accuracy", Value: 0.85, Dataset: "DS-10@1", MeasuredOn: "2026-03-01"}, {Metric: "auc", Value: 0.9}}}}}},
		Datasets: []aibom.DatasetVersion{
			{Key: "DS-10@1", DatasetName: "Hold-out", Number: 1, Source: "https://data.example/holdout", Acquisition: "public", Licence: "CC-BY-4.0"},
			{Key: "DS-2@1", DatasetName: "Training set", Number: 1, Label: "2026-02 extract", Source: "DS-1 cleaned", Acquisition: "derived",
				Licence: "Internal", DerivedFrom: []string{"DS-1@1"}, Preparation: []string{"Drop rows with missing values", "One-hot encode"},
				SHA256: fileDigest, Owner: "Ada Lovelace", ContainsPersonalData: true, PersonalDataCategories: []string{"sex", "race"},
				ConsentBasis: "legitimate_interests", Retention: "5 years"},
			{Key: "DS-1@1", DatasetName: "Adult census", Number: 1, Source: "UCI", Acquisition: "purchased", Licence: "CC-BY-4.0", Supplier: dataCo},
		},
	}
}

// TestExport checks the BOM of the sample: valid CycloneDX 1.6, its
// components, hashes, suppliers, model card and dependencies, in a stable
// order with a serial number that depends on the content only.
func TestExport(t *testing.T) {
	data, err := aibom.Export(sample())
	if err != nil {
		t.Fatal(err)
	}
	valid(t, data)
	var bom struct {
		SpecVersion  string `json:"specVersion"`
		SerialNumber string `json:"serialNumber"`
		Metadata     struct {
			Timestamp string
			Component struct{ Type, Name, Description string } `json:"component"`
			Tools     struct{ Components []struct{ Name string } }
		}
		Components []struct {
			BOMRef    string `json:"bom-ref"`
			Type      string
			Name      string
			Version   string
			Hashes    []struct{ Alg, Content string }
			Supplier  *struct{ Name string }
			ModelCard *struct {
				ModelParameters      struct{ Datasets []struct{ Ref string } }
				QuantitativeAnalysis struct {
					PerformanceMetrics []struct{ Type, Value string }
				}
				Considerations struct {
					UseCases, TechnicalLimitations []string
					EthicalConsiderations          []struct{ Name string }
					FairnessAssessments            []struct{ Harms string }
				}
			}
			Data []struct {
				Type, Classification string
				SensitiveData        []string
			}
		}
		Dependencies []struct {
			Ref       string
			DependsOn []string
		}
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || !regexp.MustCompile(`^urn:uuid:[0-9a-f-]{36}$`).MatchString(bom.SerialNumber) ||
		bom.Metadata.Timestamp != "2026-03-02T09:00:00Z" || bom.Metadata.Component.Type != "application" ||
		bom.Metadata.Component.Description != "Score consumer credit applications" || bom.Metadata.Tools.Components[0].Name != "aims" {
		t.Errorf("header %+v", bom)
	}
	var refs []string
	for _, c := range bom.Components {
		refs = append(refs, c.Type+" "+c.BOMRef+" "+c.Name+" "+c.Version)
	}
	want := []string{"machine-learning-model model:MDL-1@1.0.0 Credit scorer 1.0.0", "data data:DS-1@1 Adult census 1",
		"data data:DS-2@1 Training set 1", "data data:DS-10@1 Hold-out 1"}
	if !cmp.Equal(refs, want) {
		t.Errorf("components %q", refs)
	}
	m := bom.Components[0]
	if m.Hashes[0].Alg != "SHA-256" || m.Hashes[0].Content != modelDigest || m.Supplier.Name != "ModelWorks" ||
		m.ModelCard.ModelParameters.Datasets[0].Ref != "data:DS-2@1" ||
		m.ModelCard.QuantitativeAnalysis.PerformanceMetrics[0].Value != "0.85" ||
		m.ModelCard.Considerations.UseCases[0] != "Score applications." ||
		m.ModelCard.Considerations.TechnicalLimitations[0] != "Few young applicants." ||
		m.ModelCard.Considerations.EthicalConsiderations[0].Name != "Human review of refusals." ||
		m.ModelCard.Considerations.FairnessAssessments[0].Harms != "Lower recall for women." {
		t.Errorf("model component %+v", m)
	}
	if c := bom.Components[1]; c.Supplier == nil || c.Supplier.Name != "DataCo" || c.Hashes != nil || c.Data[0].Classification != "no personal data" {
		t.Errorf("DS-1@1 %+v", c)
	}
	if c := bom.Components[2]; c.Hashes[0].Content != fileDigest || !cmp.Equal(c.Data[0].SensitiveData, []string{"sex", "race"}) ||
		c.Data[0].Type != "dataset" || c.Data[0].Classification != "personal data" {
		t.Errorf("DS-2@1 %+v", c)
	}
	deps := map[string][]string{}
	for _, d := range bom.Dependencies {
		deps[d.Ref] = d.DependsOn
	}
	if diff := cmp.Diff(map[string][]string{
		"system:SYS-1":      {"model:MDL-1@1.0.0"},
		"model:MDL-1@1.0.0": {"data:DS-2@1", "data:DS-10@1"},
		"data:DS-1@1":       nil,
		"data:DS-2@1":       {"data:DS-1@1"},
		"data:DS-10@1":      nil,
	}, deps); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}

	// The same records give the same bytes but for the time, whatever order they come in.
	in := sample()
	in.Time = in.Time.Add(48 * time.Hour)
	in.Datasets[0], in.Datasets[2] = in.Datasets[2], in.Datasets[0]
	again, err := aibom.Export(in)
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`"timestamp": "[^"]*"`)
	if !bytes.Equal(stamp.ReplaceAll(data, nil), stamp.ReplaceAll(again, nil)) {
		t.Errorf("exports differ beyond the timestamp:\n%s\n%s", data, again)
	}
	// Other content gives another serial number.
	in.Models[0].Versions[0].Card.Limitations = "Changed."
	other, _ := aibom.Export(in)
	var o struct{ SerialNumber string }
	_ = json.Unmarshal(other, &o)
	if o.SerialNumber == bom.SerialNumber {
		t.Error("different content, same serial number")
	}
}

// TestParseReadsWhatExportWrites reads the sample's BOM back into the same
// models and data set versions, keyed by bom-ref, parents first.
func TestParseReadsWhatExportWrites(t *testing.T) {
	data, err := aibom.Export(sample())
	if err != nil {
		t.Fatal(err)
	}
	c, err := aibom.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	in := sample()
	wantModel := in.Models[0]
	wantModel.Ref = ""
	v := &wantModel.Versions[0]
	v.Key, v.TrainedOn, v.EvaluatedOn = "model:MDL-1@1.0.0", []string{"data:DS-2@1"}, []string{"data:DS-10@1"}
	v.Evaluations[0].Dataset = "data:DS-10@1"
	if diff := cmp.Diff([]aibom.Model{wantModel}, c.Models); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	var keys []string
	for _, d := range c.Datasets {
		keys = append(keys, d.Key)
	}
	if !cmp.Equal(keys, []string{"data:DS-1@1", "data:DS-2@1", "data:DS-10@1"}) {
		t.Errorf("data set order %v", keys)
	}
	ds2 := in.Datasets[1]
	ds2.Key, ds2.DerivedFrom, ds2.Owner = "data:DS-2@1", []string{"data:DS-1@1"}, ""
	if diff := cmp.Diff(ds2, c.Datasets[1]); diff != "" {
		t.Errorf("DS-2@1 (-want +got):\n%s", diff)
	}
	if c.System.Name != "Credit scoring" || c.System.Ref != "SYS-1" || !strings.HasPrefix(c.SerialNumber, "urn:uuid:") {
		t.Errorf("header %+v", c)
	}
}

// TestParseForeign reads a BOM another tool wrote: training data from the
// model card, other data dependencies as evaluation data, metrics from the
// quantitative analysis, defaults for what aims needs, and problems for
// what it cannot register.
func TestParseForeign(t *testing.T) {
	foreign := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
	"components":[
	  {"type":"machine-learning-model","bom-ref":"m","name":"Vision","version":"v2",
	   "hashes":[{"alg":"SHA-256","content":"` + strings.ToUpper(modelDigest) + `"}],
	   "supplier":{"name":"Vendor","url":["not a url"],"contact":[{"email":"bad"}]},
	   "modelCard":{"modelParameters":{"datasets":[{"ref":"train"},{"ref":"missing"}]},
	     "quantitativeAnalysis":{"performanceMetrics":[{"type":"f1","value":"0.7","slice":"night"},{"type":"speed","value":"fast"}]},
	     "considerations":{"useCases":["Sorting","Counting"],"fairnessAssessments":[{"groupAtRisk":"children","harms":"misses"}]}}},
	  {"type":"data","bom-ref":"train","name":"Images","version":"2024-06","licenses":[{"license":{"id":"MIT"}}],
	   "components":[{"type":"data","bom-ref":"raw","name":"Raw images","version":"3"}]},
	  {"type":"data","bom-ref":"eval","name":"Eval","data":[{"type":"dataset","sensitiveData":["faces"]}]}
	],
	"dependencies":[{"ref":"m","dependsOn":["train","eval"]},{"ref":"train","dependsOn":["raw"]}]}`
	_, err := aibom.Parse([]byte(foreign))
	var ae *aims.Error
	if e := aims.AsError(err); e == nil || e.Code != aims.CodeInvalid {
		t.Fatalf("got %v, want invalid: personal data without a lawful basis", err)
	} else {
		ae = e
	}
	var fields []string
	for _, f := range ae.Fields {
		fields = append(fields, f.Field)
	}
	if !cmp.Equal(fields, []string{"components[2].properties", "components[2].properties"}) {
		t.Errorf("fields %v (%v)", fields, err)
	}
	// With the lawful basis and retention given, it reads.
	fixed := strings.Replace(foreign, `"name":"Eval",`, `"name":"Eval","properties":[{"name":"aims:consent_basis","value":"consent"},{"name":"aims:retention","value":"1 year"}],`, 1)
	c, err := aibom.Parse([]byte(fixed))
	if err != nil {
		t.Fatal(err)
	}
	v := c.Models[0].Versions[0]
	if v.Label != "v2" || v.Digest != modelDigest || !cmp.Equal(v.TrainedOn, []string{"train"}) || !cmp.Equal(v.EvaluatedOn, []string{"eval"}) ||
		v.Card.IntendedUse != "Sorting\n\nCounting" || v.Card.KnownBiases != "children: misses" ||
		!cmp.Equal(v.Evaluations, []aibom.Evaluation{{Metric: "f1", Value: 0.7, Note: "night"}}) || c.Models[0].Supplier.Name != "Vendor" {
		t.Errorf("model %+v", c.Models[0])
	}
	var got []string
	for _, d := range c.Datasets {
		got = append(got, d.Key+" "+d.DatasetName+" "+d.Label+" "+d.Acquisition+" "+d.Licence+" "+strings.Join(d.DerivedFrom, ","))
	}
	want := []string{"raw Raw images  other Not stated in the imported bill of materials ",
		"train Images 2024-06 derived MIT raw", "eval Eval  other Not stated in the imported bill of materials "}
	if !cmp.Equal(got, want) {
		t.Errorf("data sets\n%q\nwant\n%q", got, want)
	}
	if e := c.Datasets[2]; !e.ContainsPersonalData || !cmp.Equal(e.PersonalDataCategories, []string{"faces"}) || e.Source != aibom.DefaultSource {
		t.Errorf("eval %+v", e)
	}
	if len(c.Notes) != 2 {
		t.Errorf("notes %q", c.Notes)
	}

	for _, bad := range []struct{ doc, field string }{
		{`not json`, "bom"},
		{`{"bomFormat":"SPDX"}`, "bom"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"machine-learning-model","name":"M","version":"1"}]}`, "components[0].hashes"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"machine-learning-model","name":"M","version":"a b","hashes":[{"alg":"SHA-256","content":"` + modelDigest + `"}]}]}`, "components[0].version"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"data","name":""}]}`, "components[0].name"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"data","bom-ref":"x","name":"A"},{"type":"data","bom-ref":"x","name":"B"}]}`, "components[1].bom-ref"},
	} {
		_, err := aibom.Parse([]byte(bad.doc))
		e := aims.AsError(err)
		if e == nil || e.Code != aims.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != bad.field {
			t.Errorf("%s: got %v, want a problem with %s", bad.doc, err, bad.field)
		}
	}
}
