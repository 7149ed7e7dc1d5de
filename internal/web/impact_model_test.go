package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/model"
)

// TestImpactModelVersion starts an assessment naming the model version it
// assesses: the form refuses an unknown version and one of another system's
// model beside the field, keeping what was typed, and the assessment's page
// links to the version it names.
func TestImpactModelVersion(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.signedIn()[aims.RoleContributor]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks applications."})
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answers questions."})
		for _, m := range []struct{ system, label string }{{"SYS-1", "1.4.0"}, {"SYS-2", "2.0"}} {
			mod, err := e.app.Models.Create(e.ctx, e.owner(), model.CreateRequest{System: m.system, Name: "Model of " + m.system})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Models.CreateVersion(e.ctx, e.owner(), mod.Ref, model.VersionRequest{Label: m.label, Digest: modelDigest}); err != nil {
				t.Fatal(err)
			}
		}

		r := c.get("/impact/new?system=SYS-1")
		want(t, r, http.StatusOK, `id="model_version" name="model_version"`, "Model version",
			"Optional: the model version assessed, such as MDL-1@1.4.0")
		r = c.post("/impact", url.Values{"system": {"SYS-1"}, "template": {"eu-fria"}, "model_version": {"MDL-9@1.0.0"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#model_version"`, `id="model_version-error"`,
			"MDL-9@1.0.0, which is not a model version of this organisation", `value="MDL-9@1.0.0"`)
		wantCSPSafe(t, r)
		r = c.post("/impact", url.Values{"system": {"SYS-1"}, "template": {"eu-fria"}, "model_version": {"MDL-2@2.0"}})
		want(t, r, http.StatusUnprocessableEntity, `id="model_version-error"`, "is a version of a model of another AI system",
			`value="MDL-2@2.0"`)

		wantRedirect(t, c.post("/impact", url.Values{"system": {"SYS-1"}, "template": {"eu-fria"}, "model_version": {"MDL-1@1.4.0"}}),
			"/impact/assessments/IA-1")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, `Model version <a href="/models/MDL-1/versions/1.4.0" id="model-version">MDL-1@1.4.0</a>`)
		wantCSPSafe(t, r)
	})
}
