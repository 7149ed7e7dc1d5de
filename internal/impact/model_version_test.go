package impact_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestStartWithModelVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		hiring, other := e.system(t, "Hiring screening"), e.system(t, "Chat assistant")
		mv := aims.NewID()
		e.sources.models["MDL-1@1.4.0"] = modelVersion{id: mv, systemID: hiring.ID}
		e.sources.models["MDL-2@2.0.0"] = modelVersion{id: aims.NewID(), systemID: other.ID}

		// An unknown version, or one of another system's model, is refused and nothing is stored.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "SYS-1", Template: "eu-fria", ModelVersion: "MDL-9@1.0.0"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "model_version")
			if msg := fieldMessage(err, "model_version"); !strings.Contains(msg, "MDL-9@1.0.0") {
				t.Errorf("unknown version problem = %q", msg)
			}
			_, err = e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "SYS-1", Template: "eu-fria", ModelVersion: "MDL-2@2.0.0"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "model_version")
			if msg := fieldMessage(err, "model_version"); !strings.Contains(msg, "is a version of a model of another AI system") {
				t.Errorf("other system's version problem = %q", msg)
			}
		})

		a, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "SYS-1", Template: "eu-fria", ModelVersion: " mdl-1@1.4.0 "})
		if err != nil {
			t.Fatal(err)
		}
		if a.ModelVersion != "MDL-1@1.4.0" || e.get(t, a.Ref).ModelVersion != "MDL-1@1.4.0" {
			t.Errorf("model version = %q", a.ModelVersion)
		}
		var id, key string
		if err := d.QueryRowContext(e.ctx, `SELECT model_version_id, model_version_key FROM impact_assessments WHERE id = ?`, a.ID).
			Scan(&id, &key); err != nil || id != mv || key != "MDL-1@1.4.0" {
			t.Errorf("stored %q %q, %v; want %q MDL-1@1.4.0", id, key, err, mv)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if got := servicetest.ChangeMap(t, ev)["model_version"]; got != [2]string{"null", `"MDL-1@1.4.0"`} {
			t.Errorf("create event model_version = %v", got)
		}
		f, err := e.svc.Export(e.ctx, e.viewer(), a.Ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		if text := servicetest.PDFText(t, f.Data); !strings.Contains(text, "Model version") || !strings.Contains(text, "MDL-1@1.4.0") {
			t.Errorf("the PDF does not name the model version:\n%s", text)
		}
		if e.start(t, "SYS-1", "eu-fria").ModelVersion != "" {
			t.Error("an assessment without a model version shows one")
		}
	})
}

// fieldMessage returns the problem an error reports about a field.
func fieldMessage(err error, field string) string {
	if e := aims.AsError(err); e != nil {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}
