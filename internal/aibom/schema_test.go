package aibom_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// bomSchema compiles the CycloneDX 1.6 JSON schema that cyclonedx-go ships
// in its module directory, with the SPDX and JSF schemas it refers to,
// without the network.
func bomSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-json", "github.com/CycloneDX/cyclonedx-go").Output()
		if err != nil {
			schemaErr = err
			return
		}
		var mod struct{ Dir string }
		if schemaErr = json.Unmarshal(out, &mod); schemaErr != nil {
			return
		}
		c := jsonschema.NewCompiler()
		for _, f := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schemax.json"} {
			b, err := os.ReadFile(filepath.Join(mod.Dir, "schema", f))
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				schemaErr = err
				return
			}
			id, _ := doc.(map[string]any)["$id"].(string)
			if schemaErr = c.AddResource(id, doc); schemaErr != nil {
				return
			}
		}
		schema, schemaErr = c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	})
	if schemaErr != nil {
		t.Fatalf("cannot load the CycloneDX 1.6 schema: %v", schemaErr)
	}
	return schema
}

// valid fails the test unless data is a CycloneDX 1.6 document valid against the schema.
func valid(t testing.TB, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := bomSchema(t).Validate(doc); err != nil {
		t.Fatalf("the BOM is not valid CycloneDX 1.6: %v\n%s", err, data)
	}
}

// TestSchemaRefusesInvalid makes sure the schema check can fail.
func TestSchemaRefusesInvalid(t *testing.T) {
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"robot","name":"x"}]}`)))
	if err := bomSchema(t).Validate(doc); err == nil {
		t.Error("an unknown component type passed the schema")
	}
}
