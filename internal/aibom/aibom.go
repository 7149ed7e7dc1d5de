// Package aibom writes and reads the AI bill of materials of an AI system
// as a CycloneDX 1.6 JSON document, with github.com/CycloneDX/cyclonedx-go:
// the system as the BOM's subject, a machine-learning-model component for
// each model version with its model card, a data component for each data
// set version, the supplier of each component, and dependencies from model
// versions to the data set versions they were trained and evaluated on and
// from data set versions to those they were derived from.
//
// The package only maps between its plain types and CycloneDX; it reads
// and writes no records. The supplier service gathers what goes into a BOM
// and registers what comes out of one.
package aibom

import (
	"strconv"
	"strings"
	"time"
)

// MediaType is the media type of a CycloneDX JSON document.
const MediaType = "application/vnd.cyclonedx+json"

// Property names of the aims taxonomy, for what CycloneDX has no field for.
const (
	PropRef             = "aims:ref"
	PropStatus          = "aims:status"
	PropFramework       = "aims:framework"
	PropOutOfScope      = "aims:card:out_of_scope_uses"
	PropEvaluatedOn     = "aims:evaluated_on"
	PropEvaluation      = "aims:evaluation"
	PropLabel           = "aims:label"
	PropSource          = "aims:source"
	PropAcquisition     = "aims:acquisition"
	PropPersonalData    = "aims:contains_personal_data"
	PropConsentBasis    = "aims:consent_basis"
	PropRetention       = "aims:retention"
	PropDeleteBy        = "aims:delete_by"
	PropPreparation     = "aims:preparation"
	PropSupplierCountry = "aims:supplier:country"
)

// System is the AI system a BOM describes.
type System struct {
	Ref         string
	Name        string
	Purpose     string
	Description string
}

// Supplier is the third party that supplies a component.
type Supplier struct {
	Name        string
	ContactName string
	Email       string
	Web         string
	Country     string
}

// Card holds the model card fields of a model version.
type Card struct {
	IntendedUse           string
	OutOfScopeUses        string
	Limitations           string
	KnownBiases           string
	EthicalConsiderations string
}

// Evaluation is one evaluation result of a model version.
type Evaluation struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	// Dataset is the key (or, when read from a BOM, the bom-ref) of the data set version measured on.
	Dataset    string `json:"dataset,omitempty"`
	MeasuredOn string `json:"measured_on,omitempty"`
	Note       string `json:"note,omitempty"`
}

// ModelVersion is one version of a model.
type ModelVersion struct {
	// Key is the version's key such as MDL-1@1.4.0; read from a BOM, its bom-ref.
	Key       string
	Label     string
	Digest    string
	Framework string
	Status    string
	Card      Card
	// TrainedOn and EvaluatedOn are keys (read from a BOM, bom-refs) of data set versions.
	TrainedOn   []string
	EvaluatedOn []string
	Evaluations []Evaluation
}

// Model is a model of the system with its versions, oldest first.
type Model struct {
	// ID is the model's id in aims; it is not written to the BOM.
	ID          string
	Ref         string
	Name        string
	Description string
	Supplier    *Supplier
	Versions    []ModelVersion
}

// DatasetVersion is one version of a data set.
type DatasetVersion struct {
	// Key is the version's key such as DS-3@2; read from a BOM, its bom-ref.
	Key string
	// DatasetID is the data set's id in aims; it is not written to the BOM.
	DatasetID              string
	DatasetRef             string
	DatasetName            string
	Description            string
	Number                 int
	Label                  string
	Source                 string
	Acquisition            string
	Licence                string
	ContainsPersonalData   bool
	PersonalDataCategories []string
	ConsentBasis           string
	Retention              string
	DeleteBy               string
	Preparation            []string
	// DerivedFrom are the keys (read from a BOM, bom-refs) of the versions it was made from.
	DerivedFrom []string
	// SHA256 is the hex SHA-256 of the version's profiled file; empty when it has no profile.
	SHA256 string
	// Owner names the data set's owner.
	Owner    string
	Supplier *Supplier
}

// Input is everything a BOM of one system holds.
type Input struct {
	// Organisation names the organisation that owns the system.
	Organisation string
	System       System
	Models       []Model
	Datasets     []DatasetVersion
	// Time is when the BOM is made.
	Time time.Time
}

// naturalLess orders keys such as DS-2@10 after DS-2@9 and MDL-10 after
// MDL-9: runs of digits compare as numbers, the rest as text.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.ParseUint(da, 10, 64)
			nb, _ := strconv.ParseUint(db, 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 18 {
		i++
	}
	return s[:i]
}

// joinTexts joins the texts of a CycloneDX list into one field, a blank
// line between each.
func joinTexts(texts []string) string {
	var out []string
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n\n")
}
