package aibom_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
)

// FuzzParse feeds Parse arbitrary documents: it must never panic, and it
// either reads a document or refuses it with problems naming fields; what
// it reads names only data set versions the document holds.
func FuzzParse(f *testing.F) {
	exported, err := aibom.Export(sample())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{string(exported), `{}`, `null`, `[]`, `{"bomFormat":"CycloneDX"}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"data","bom-ref":"a","name":"A"},{"type":"data","bom-ref":"b","name":"B"}],
		"dependencies":[{"ref":"a","dependsOn":["b"]},{"ref":"b","dependsOn":["a"]}]}`,
		`{"bomFormat":"CycloneDX","components":[{"type":"machine-learning-model","name":"M","version":"1","components":[{"type":"data","name":"D"}],
		"modelCard":{"modelParameters":{"datasets":[{"type":"dataset","name":"inline"}]}}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := aibom.Parse(data)
		if err != nil {
			if e := aims.AsError(err); e.Code != aims.CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		keys := map[string]bool{}
		for _, d := range c.Datasets {
			keys[d.Key] = true
		}
		for _, d := range c.Datasets {
			for _, p := range d.DerivedFrom {
				if !keys[p] {
					t.Fatalf("%s derives from %s, which is not a data component of the document", d.Key, p)
				}
			}
		}
		for _, m := range c.Models {
			for _, v := range m.Versions {
				for _, k := range append(append([]string{}, v.TrainedOn...), v.EvaluatedOn...) {
					if !keys[k] {
						t.Fatalf("%s names %s, which is not a data component of the document", v.Key, k)
					}
				}
			}
		}
	})
}
