package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
)

// eachDatasetDialect is eachDialect with a body limit large enough for the
// uploads of these tests.
func eachDatasetDialect(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ae := apptest.Serve(t, apptest.Config(t, d, map[string]string{"AIMS_MAX_BODY_BYTES": strconv.Itoa(8 << 20)}))
			f(t, &env{t: t, ctx: context.Background(), app: ae.App, srv: ae.Server})
		})
	}
}

// postMultipart posts a multipart form of fields and, when name is not empty, a file.
func (c *client) dsPostMultipart(path string, fields [][2]string, name string, file io.Reader) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		if _, err := io.Copy(fw, file); err != nil {
			c.t.Fatal(err)
		}
	} else {
		mw.CreateFormFile("file", "") // a browser sends an empty file control
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// page gets a page, checks its status and texts, and that the CSP allows it.
func (c *client) dsPage(path string, status int, texts ...string) response {
	c.t.Helper()
	r := c.get(path)
	want(c.t, r, status, texts...)
	wantCSPSafe(c.t, r)
	return r
}

// TestDatasetPages registers, lists, edits, archives and restores a data
// set through its pages, with errors shown beside the fields and what was
// typed kept.
func TestDatasetPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score applications"})

		contributor.dsPage("/datasets", http.StatusOK, "Data sets", "No data sets match", `href="/datasets/new"`)
		r := viewer.dsPage("/datasets", http.StatusOK, "Data sets")
		wantNot(t, r, `href="/datasets/new"`)
		contributor.dsPage("/datasets/new", http.StatusOK, "Register a data set", `name="systems" value="SYS-1"`)
		viewer.dsPage("/datasets/new", http.StatusForbidden, "You cannot do this")

		r = contributor.post("/datasets", url.Values{"name": {" "}, "description": {"Typed text stays"}, "owner_id": {"nobody"}, "systems": {"SYS-1"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `id="name-error"`, "Name is required",
			`id="owner_id-error"`, "Typed text stays</textarea>", `value="SYS-1" checked`)
		wantCSPSafe(t, r)
		r = contributor.post("/datasets", url.Values{"name": {"Census income"}, "description": {"UCI Adult"}, "systems": {"SYS-1"}})
		wantRedirect(t, r, "/datasets/DS-1")
		r = viewer.dsPage("/datasets/DS-1", http.StatusOK, "DS-1 Census income", "UCI Adult", `href="/systems/SYS-1"`, "No version recorded yet", "dataset.create")
		wantNot(t, r, "Edit DS-1", "Record a version")
		contributor.dsPage("/datasets/DS-1", http.StatusOK, "Edit DS-1", `name="version" value="1"`, "Record a version")
		r = owner.post("/datasets", url.Values{"name": {"census  INCOME"}})
		want(t, r, http.StatusConflict, "is already the name of another data set")

		// An edit based on an old version is refused and keeps what was typed.
		r = contributor.post("/datasets/DS-1", url.Values{"version": {"1"}, "name": {"Census income"}, "description": {"Training split"},
			"systems": {"SYS-1"}})
		wantRedirect(t, r, "/datasets/DS-1")
		r = owner.post("/datasets/DS-1", url.Values{"version": {"1"}, "name": {"Overwritten"}, "description": {"Mine"}})
		want(t, r, http.StatusConflict, "Someone changed this data set since you loaded it", `value="Overwritten"`, "Mine</textarea>")
		wantCSPSafe(t, r)
		r = viewer.post("/datasets/DS-1", url.Values{"version": {"2"}, "name": {"X"}})
		want(t, r, http.StatusForbidden)
		contributor.dsPage("/datasets?system=SYS-1", http.StatusOK, "1–1 of 1", "Census income")
		contributor.dsPage("/datasets?personal_data=yes", http.StatusOK, "No data sets match")
		contributor.dsPage("/datasets?personal_data=maybe", http.StatusUnprocessableEntity, "Personal data must be yes or no")

		wantRedirect(t, contributor.post("/datasets/DS-1/archive", nil), "/datasets/DS-1")
		contributor.dsPage("/datasets", http.StatusOK, "No data sets match")
		contributor.dsPage("/datasets?status=all", http.StatusOK, "Census income", "Archived")
		r = contributor.dsPage("/datasets/DS-1", http.StatusOK, "Restore")
		wantNot(t, r, "Edit DS-1")
		wantRedirect(t, contributor.post("/datasets/DS-1/restore", nil), "/datasets/DS-1")

		// A file larger than the server takes through the form is refused whole, saying where larger files go.
		no := false
		if _, err := e.app.Datasets.AddVersion(e.ctx, e.owner(), "DS-1", dataset.VersionRequest{Source: "UCI", Acquisition: "public",
			Licence: "CC BY 4.0", ContainsPersonalData: &no}); err != nil {
			t.Fatal(err)
		}
		e.app.Datasets.SetUploadLimits(64<<10, "")
		contributor.dsPage("/datasets/DS-1/versions/1", http.StatusOK, "at most 64.0 KB")
		r = contributor.dsPostMultipart("/datasets/DS-1/versions/1/profile", nil, "big.csv", strings.NewReader(strings.Repeat("1,2\n", 40000)))
		want(t, r, http.StatusRequestEntityTooLarge, "The file is too large", "aims dataset profile DS-1@1 FILE")
		if v, err := e.app.Datasets.GetVersion(e.ctx, e.owner(), "DS-1@1"); err != nil || v.Profile != nil {
			t.Errorf("after a refused upload: %+v, %v", v, err)
		}
	})
}

// TestDatasetVersionPages records versions through the form, shows them
// with their provenance both ways, and draws the lineage.
func TestDatasetVersionPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		contributor, viewer := cs[aims.RoleContributor], cs[aims.RoleViewer]
		for _, n := range []string{"Census income", "Training table"} {
			wantRedirect(t, contributor.post("/datasets", url.Values{"name": {n}}), "/datasets/DS-"+map[string]string{"Census income": "1", "Training table": "2"}[n])
		}
		contributor.dsPage("/datasets/DS-1/versions/new", http.StatusOK, "New version of DS-1", "Version 1 is recorded once",
			`name="contains_personal_data" value="yes"`, `<option value="public">`)
		viewer.dsPage("/datasets/DS-1/versions/new", http.StatusForbidden)

		r := contributor.post("/datasets/DS-1/versions", url.Values{"source": {"UCI repository"}, "acquisition": {"public"},
			"licence": {""}, "personal_data_categories": {"health"}, "preparation": {"Step one\nStep two"}})
		want(t, r, http.StatusUnprocessableEntity, `id="contains_personal_data-error"`, `id="licence-error"`,
			"Licence or legal basis is required", "UCI repository</textarea>", "Step one\nStep two</textarea>", `<option value="public" selected>`)
		wantCSPSafe(t, r)
		r = contributor.post("/datasets/DS-1/versions", url.Values{"label": {"1994 census"}, "source": {"UCI repository"},
			"acquisition": {"public"}, "licence": {"CC BY 4.0"}, "contains_personal_data": {"no"}})
		wantRedirect(t, r, "/datasets/DS-1/versions/1")
		contributor.dsPage("/datasets/DS-2/versions/new?derived_from=DS-1@1", http.StatusOK, `value="DS-1@1" checked`, `<option value="derived" selected>`)
		r = contributor.post("/datasets/DS-2/versions", url.Values{"source": {"Prepared from the census"}, "acquisition": {"derived"},
			"licence": {"CC BY 4.0"}, "contains_personal_data": {"yes"}, "derived_from": {"DS-1@1", "DS-9@9"}})
		want(t, r, http.StatusUnprocessableEntity, `id="derived_from-error"`, "DS-9@9 is not one", `value="DS-1@1" checked`,
			`id="personal_data_categories-error"`, `id="retention-error"`)
		r = contributor.post("/datasets/DS-2/versions", url.Values{"source": {"Prepared from the census"}, "acquisition": {"derived"},
			"licence": {"CC BY 4.0"}, "contains_personal_data": {"yes"}, "personal_data_categories": {"age\nsex"},
			"consent_basis": {"public_task"}, "retention": {"Until the model is retired"}, "delete_by": {"2030-12-31"},
			"derived_from": {"DS-1@1"}, "preparation": {"Drop rows with missing values\nOne-hot encode"}})
		wantRedirect(t, r, "/datasets/DS-2/versions/1")

		viewer.dsPage("/datasets/DS-2/versions/1", http.StatusOK, "DS-2@1 Training table", "Prepared from the census",
			`href="/datasets/DS-1/versions/1"`, "<li>Drop rows with missing values</li>", "<li>One-hot encode</li>", "Public task",
			"2030-12-31", `href="/datasets/lineage?version=DS-2%401"`, "No profile yet")
		r = viewer.dsPage("/datasets/DS-1/versions/1", http.StatusOK, "Derived into", `href="/datasets/DS-2/versions/1"`, "1994 census")
		wantNot(t, r, "Upload and profile")
		viewer.dsPage("/datasets/DS-1/versions/7", http.StatusNotFound)
		viewer.dsPage("/datasets/DS-1", http.StatusOK, `href="/datasets/DS-1/versions/1"`, "Not profiled")

		r = viewer.dsPage("/datasets/lineage?version=DS-2@1", http.StatusOK, "<svg", `<a href="/datasets/DS-1/versions/1">`,
			`<a href="/datasets/DS-2/versions/1">`, "marker-end=", "DS-2@1 derived from DS-1@1: Drop rows with missing values; One-hot encode",
			`id="lineage-table"`, "prepared by: Drop rows with missing values; One-hot encode")
		if strings.Count(r.Body, "<rect") != 2 || strings.Count(r.Body, "marker-end=") != 1 {
			t.Errorf("the diagram has %d boxes and %d arrows", strings.Count(r.Body, "<rect"), strings.Count(r.Body, "marker-end="))
		}
		viewer.dsPage("/datasets/lineage?version=DS-2@1&version=DS-9@1", http.StatusUnprocessableEntity, "DS-9@1 is not one")
		viewer.dsPage("/datasets/lineage", http.StatusOK, "Name one or more versions")
	})
}

// TestDatasetProfilePage uploads the real Adult data through the version
// page's form and checks the figures the page then shows.
func TestDatasetProfilePage(t *testing.T) {
	eachDatasetDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		contributor, viewer := cs[aims.RoleContributor], cs[aims.RoleViewer]
		a := e.actor(e.ownerID, e.orgID)
		if _, err := e.app.Datasets.Create(e.ctx, a, dataset.CreateRequest{Name: "Census income"}); err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := e.app.Datasets.AddVersion(e.ctx, a, "DS-1", dataset.VersionRequest{Source: "UCI", Acquisition: "public",
			Licence: "CC BY 4.0", ContainsPersonalData: &no}); err != nil {
			t.Fatal(err)
		}
		contributor.dsPage("/datasets/DS-1/versions/1", http.StatusOK, "Upload and profile", `enctype="multipart/form-data"`,
			`name="header" value="yes" checked`)
		fields := [][2]string{{"header", "no"}, {"columns", "age,workclass,fnlwgt,education,education-num,marital-status,occupation," +
			"relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"}, {"separator", ""}, {"missing", "?"},
			{"label", "income"}, {"positive", ">50K"}, {"sensitive", "sex, race"}, {"reference", "sex:Female=0.5\nsex:Male=0.5"}}

		r := viewer.dsPostMultipart("/datasets/DS-1/versions/1/profile", fields, "a.csv", strings.NewReader("a\n1\n"))
		want(t, r, http.StatusForbidden)
		bad := append([][2]string{}, fields...)
		bad[4] = [2]string{"label", "salary"}
		bad[7] = [2]string{"reference", "sex=half"}
		r = contributor.dsPostMultipart("/datasets/DS-1/versions/1/profile", bad, "adult.data", strings.NewReader("39,x\n"))
		want(t, r, http.StatusUnprocessableEntity, `id="reference-error"`, `value="salary"`, "sex=half</textarea>",
			"Choose adult.data again", `name="header" value="no" checked`)
		wantCSPSafe(t, r)
		r = contributor.dsPostMultipart("/datasets/DS-1/versions/1/profile", fields[:1], "", nil)
		want(t, r, http.StatusUnprocessableEntity, `id="file-error"`, "File is required")

		f, err := os.Open(servicetest.SharedData(t, "adult.data"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = contributor.dsPostMultipart("/datasets/DS-1/versions/1/profile", fields, "adult.data", f)
		wantRedirect(t, r, "/datasets/DS-1/versions/1#profile")
		r = viewer.dsPage("/datasets/DS-1/versions/1", http.StatusOK,
			`<data value="32561">32,561</data>`, "rows in 15 columns",
			`<p class="stat" id="duplicate-rows"><data value="24">24</data>`,
			`<p class="stat" id="rows-with-missing"><data value="2399">2,399</data>`,
			"5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d", "adult.data",
			`<th scope="row">Male</th><td>21,790</td>`, `<th scope="row">Female</th><td>10,771</td>`,
			"Histogram of age", "Label balance: income", "Sensitive feature: race", "Label base rate of each group of sex",
			"missing values written ?", "+16.9 pp")
		// The upload form offers the options used, to profile again.
		r = contributor.dsPage("/datasets/DS-1/versions/1", http.StatusOK, `name="label" value="income"`, `name="header" value="no" checked`, "sex:Female=0.5\nsex:Male=0.5</textarea>")
		wantNot(t, r, "Choose adult.data again")
		viewer.dsPage("/datasets/DS-1", http.StatusOK, "32,561 rows, 24 duplicates")
		viewer.dsPage("/datasets/lineage?version=DS-1@1", http.StatusOK, "32,561 rows, 24 duplicates, 2,399 with missing values")
	})
}
