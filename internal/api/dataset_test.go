package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

const adultSHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"

const adultColumns = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex," +
	"capital-gain,capital-loss,hours-per-week,native-country,income"

const censusVersion = `{"label":"training split","source":"UCI Adult","acquisition":"public","licence":"CC BY 4.0","contains_personal_data":false}`

// TestDatasetEndpoints runs the data set operations as each kind of caller
// and checks the status, the answer and the audit events written.
func TestDatasetEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
			actions: []string{"ai_system.create"}}})
		manager := w.userID(t, "manager@acme.example")
		w.run(t, []step{
			{name: "anonymous", who: "none", method: "GET", path: "/api/v1/datasets", status: 401},
			{name: "viewer creates", who: "viewer", method: "POST", path: "/api/v1/datasets", body: `{"name":"Census income"}`, status: 403},
			{name: "auditor creates", who: "auditor", method: "POST", path: "/api/v1/datasets", body: `{"name":"Census income"}`, status: 403},
			{name: "every bad field", who: "contributor", method: "POST", path: "/api/v1/datasets", status: 422,
				body: `{"name":" ","owner_id":"nobody","systems":["SYS-9"]}`, fields: []string{"body.name", "body.owner_id", "body.systems"}},
			{name: "contributor creates", who: "contributor", method: "POST", path: "/api/v1/datasets", status: 201,
				body:    `{"name":"Census income","description":"UCI Adult","owner_id":"` + manager + `","systems":["sys-1"]}`,
				has:     []string{`"ref":"DS-1"`, `"systems":[{"id":"`, `"ref":"SYS-1","name":"Credit scoring"}`, `"latest_version":0`, `"version":1`},
				actions: []string{"dataset.create"}},
			{name: "same name", who: "owner", method: "POST", path: "/api/v1/datasets", body: `{"name":"census  INCOME"}`, status: 409,
				fields: []string{"body.name"}},
			{name: "a second", who: "manager", method: "POST", path: "/api/v1/datasets", body: `{"name":"Features"}`, status: 201,
				actions: []string{"dataset.create"}},
			{name: "get", who: "viewer", method: "GET", path: "/api/v1/datasets/ds-1", status: 200, has: []string{`"owner_name":"`, `"status":"active"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/datasets/DS-1", status: 404},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/datasets?system=SYS-1", status: 200, has: []string{`"total":1`, `"DS-1"`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/datasets?personal_data=maybe&limit=900", status: 422,
				fields: []string{"query.limit", "query.personal_data"}},
			{name: "foreign list", who: "globex", method: "GET", path: "/api/v1/datasets", status: 200, has: []string{`"total":0`}},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/datasets/DS-1", body: `{"version":1,"systems":[]}`, status: 200,
				has: []string{`"systems":[]`, `"version":2`}, actions: []string{"dataset.update"}},
			{name: "stale update", who: "contributor", method: "PATCH", path: "/api/v1/datasets/DS-1", body: `{"version":1,"name":"X"}`, status: 409,
				fields: []string{"body.version"}},
			{name: "viewer update", who: "viewer", method: "PATCH", path: "/api/v1/datasets/DS-1", body: `{"version":2,"name":"X"}`, status: 403},

			// Versions.
			{name: "bad version", who: "contributor", method: "POST", path: "/api/v1/datasets/DS-1/versions", status: 422,
				body:   `{"source":"","acquisition":"stolen","licence":"x","contains_personal_data":true,"derived_from":["DS-7@1"]}`,
				fields: []string{"body.acquisition", "body.consent_basis", "body.derived_from", "body.personal_data_categories", "body.retention", "body.source"}},
			{name: "personal data unsaid", who: "contributor", method: "POST", path: "/api/v1/datasets/DS-1/versions", status: 422,
				body: `{"source":"s","acquisition":"public","licence":"x"}`, fields: []string{"body.contains_personal_data"}},
			{name: "viewer records", who: "viewer", method: "POST", path: "/api/v1/datasets/DS-1/versions", body: censusVersion, status: 403},
			{name: "record version 1", who: "contributor", method: "POST", path: "/api/v1/datasets/DS-1/versions", body: censusVersion, status: 201,
				has: []string{`"key":"DS-1@1"`, `"number":1`, `"consent_basis":"not_applicable"`}, actions: []string{"dataset_version.create"}},
			{name: "derived version", who: "manager", method: "POST", path: "/api/v1/datasets/DS-2/versions", status: 201,
				body: `{"source":"DS-1@1 encoded","acquisition":"derived","licence":"CC BY 4.0","contains_personal_data":false,` +
					`"derived_from":["ds-1@1"],"preparation":["Drop rows with missing values","One-hot encode"]}`,
				has:     []string{`"key":"DS-2@1"`, `"derived_from":[{"id":"`, `"key":"DS-1@1","name":"Census income","label":"training split"}`},
				actions: []string{"dataset_version.create"}},
			{name: "versions", who: "viewer", method: "GET", path: "/api/v1/datasets/DS-1/versions", status: 200,
				has: []string{`"items":[{"id":"`, `"derived_into":[{"id":"`}},
			{name: "a version", who: "viewer", method: "GET", path: "/api/v1/datasets/DS-2/versions/1", status: 200,
				has: []string{`"preparation":["Drop rows with missing values","One-hot encode"]`}},
			{name: "unknown version", who: "viewer", method: "GET", path: "/api/v1/datasets/DS-2/versions/5", status: 404},
			{name: "foreign version", who: "globex", method: "GET", path: "/api/v1/datasets/DS-2/versions/1", status: 404},
			{name: "lineage", who: "auditor", method: "GET", path: "/api/v1/dataset-lineage?version=DS-2@1", status: 200,
				has: []string{`"versions":["DS-2@1"]`, `"key":"DS-1@1"`, `"generation":1`,
					`"edges":[{"child":"DS-2@1","parent":"DS-1@1","preparation":["Drop rows with missing values","One-hot encode"]}]`}},
			{name: "lineage of nothing", who: "viewer", method: "GET", path: "/api/v1/dataset-lineage?version=DS-2@9", status: 422,
				fields: []string{"query.version"}},
			{name: "foreign lineage", who: "globex", method: "GET", path: "/api/v1/dataset-lineage?version=DS-2@1", status: 422},

			{name: "contributor archives", who: "contributor", method: "POST", path: "/api/v1/datasets/DS-2/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"dataset.archive"}},
			{name: "no version while archived", who: "contributor", method: "POST", path: "/api/v1/datasets/DS-2/versions", body: censusVersion, status: 409},
			{name: "viewer restores", who: "viewer", method: "POST", path: "/api/v1/datasets/DS-2/restore", status: 403},
			{name: "restore", who: "owner", method: "POST", path: "/api/v1/datasets/DS-2/restore", status: 200,
				has: []string{`"status":"active"`}, actions: []string{"dataset.restore"}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/datasets/DS-2/history", status: 200,
				has: []string{`"action":"dataset.restore"`, `"action":"dataset_version.create"`, `"ref":"DS-2@1"`}},
		})
	})
}

// upload posts a multipart form of fields and a file to path as who.
func (w *world) upload(t *testing.T, who, path string, fields [][2]string, fileName string, file io.Reader) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", fileName)
		if _, err := io.Copy(fw, file); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	return w.send(t, who, "POST", path, mw.FormDataContentType(), &buf)
}

// TestDatasetProfileUpload profiles the real Adult data through the API, as
// a form and as a plain body, and checks the refusals.
func TestDatasetProfileUpload(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "a data set", who: "owner", method: "POST", path: "/api/v1/datasets", body: `{"name":"Census income"}`, status: 201, actions: []string{"dataset.create"}},
			{name: "a version", who: "owner", method: "POST", path: "/api/v1/datasets/DS-1/versions", body: censusVersion, status: 201, actions: []string{"dataset_version.create"}},
		})
		adult, err := os.Open(servicetest.SharedData(t, "adult.data"))
		if err != nil {
			t.Fatal(err)
		}
		defer adult.Close()
		fields := [][2]string{{"no_header", "true"}, {"columns", adultColumns}, {"missing", "?"}, {"label", "income"},
			{"positive", ">50K"}, {"sensitive", "sex,race"}, {"reference", "sex:Female=0.5,sex:Male=0.5"}}

		before := len(w.Actions(w.Org.ID))
		r := w.upload(t, "viewer", "/api/v1/datasets/DS-1/versions/1/profile", fields, "adult.data", strings.NewReader("a\n1\n"))
		if r.status != 403 {
			t.Errorf("viewer upload = %d %s", r.status, r.body)
		}
		r = w.upload(t, "contributor", "/api/v1/datasets/DS-1/versions/9/profile", fields, "adult.data", strings.NewReader("a\n1\n"))
		if r.status != 404 {
			t.Errorf("upload to an unknown version = %d %s", r.status, r.body)
		}
		r = w.upload(t, "contributor", "/api/v1/datasets/DS-1/versions/1/profile", append(fields[:0:0], [2]string{"label", "salary"}), "adult.data",
			strings.NewReader("age,income\n1,x\n"))
		if r.status != 422 || !bytes.Contains(r.body, []byte(`"location":"body.label"`)) {
			t.Errorf("unknown label = %d %s", r.status, r.body)
		}
		r = w.upload(t, "contributor", "/api/v1/datasets/DS-1/versions/1/profile", fields, "", nil)
		if r.status != 422 || !bytes.Contains(r.body, []byte(`"location":"body.file"`)) {
			t.Errorf("no file = %d %s", r.status, r.body)
		}
		if got := w.Actions(w.Org.ID)[before:]; len(got) != 0 {
			t.Errorf("refused uploads recorded %v", got)
		}

		r = w.upload(t, "contributor", "/api/v1/datasets/DS-1/versions/1/profile", fields, "adult.data", adult)
		if r.status != 200 {
			t.Fatalf("upload = %d %s", r.status, r.body)
		}
		var v struct {
			Key     string
			Profile struct {
				FileName        string `json:"file_name"`
				FileSize        int64  `json:"file_size"`
				SHA256          string
				Rows            int64
				DuplicateRows   int64 `json:"duplicate_rows"`
				RowsWithMissing int64 `json:"rows_with_missing"`
				Options         struct{ Label string }
				Result          struct {
					Sensitive []struct {
						Column string
						Groups []struct {
							Value string
							Size  int64
						}
					}
				}
			}
		}
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatal(err)
		}
		p := v.Profile
		if v.Key != "DS-1@1" || p.SHA256 != adultSHA256 || p.Rows != 32561 || p.DuplicateRows != 24 || p.RowsWithMissing != 2399 ||
			p.FileName != "adult.data" || p.FileSize != 3974305 || p.Options.Label != "income" {
			t.Errorf("profile = %+v", p)
		}
		sex := map[string]int64{}
		for _, f := range p.Result.Sensitive {
			for _, g := range f.Groups {
				if f.Column == "sex" {
					sex[g.Value] = g.Size
				}
			}
		}
		if sex["Male"] != 21790 || sex["Female"] != 10771 {
			t.Errorf("groups of sex = %v", sex)
		}
		if got := w.Actions(w.Org.ID)[before:]; len(got) != 1 || got[0] != "dataset_version.profile" {
			t.Errorf("upload recorded %v", got)
		}

		// The file itself as the body, with the options in the query.
		q := url.Values{"separator": {";"}, "label": {"y"}, "positive": {"1"}, "file_name": {"small.csv"}}
		r = w.send(t, "contributor", "POST", "/api/v1/datasets/DS-1/versions/1/profile?"+q.Encode(), "text/csv",
			strings.NewReader("x;y\n1;1\n2;0\n1;1\n"))
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"file_name":"small.csv"`)) || !bytes.Contains(r.body, []byte(`"rows":3,"columns":2,"duplicate_rows":1`)) {
			t.Errorf("raw upload = %d %s", r.status, r.body)
		}
		r = w.send(t, "contributor", "POST", "/api/v1/datasets/DS-1/versions/1/profile?reference=sex", "application/octet-stream", strings.NewReader("a\n1\n"))
		if r.status != 422 || !bytes.Contains(r.body, []byte(`"location":"query.reference"`)) {
			t.Errorf("bad reference = %d %s", r.status, r.body)
		}
	})
}

// TestDatasetOperationsDocumented checks that the data set operations are
// in the document with a summary and a description, and that their real
// answers match it.
func TestDatasetOperationsDocumented(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	for _, op := range []string{"GET /api/v1/datasets", "POST /api/v1/datasets", "GET /api/v1/datasets/{ref}", "PATCH /api/v1/datasets/{ref}",
		"POST /api/v1/datasets/{ref}/archive", "POST /api/v1/datasets/{ref}/restore", "GET /api/v1/datasets/{ref}/history",
		"GET /api/v1/datasets/{ref}/versions", "POST /api/v1/datasets/{ref}/versions", "GET /api/v1/datasets/{ref}/versions/{number}",
		"POST /api/v1/datasets/{ref}/versions/{number}/profile", "GET /api/v1/dataset-lineage"} {
		method, path, _ := strings.Cut(op, " ")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s is not in the document", op)
			continue
		}
		o := item.GetOperation(method)
		if o.Summary == "" || o.Description == "" && method != "GET" || len(o.Tags) == 0 || o.Responses.Value("401") == nil {
			t.Errorf("%s lacks a summary, description, tag or 401", op)
		}
	}
	upload := doc.Paths.Find("/api/v1/datasets/{ref}/versions/{number}/profile").Post
	if upload.RequestBody == nil || upload.RequestBody.Value.Content.Get("multipart/form-data") == nil ||
		upload.RequestBody.Value.Content.Get("application/octet-stream") == nil {
		t.Errorf("the upload's body is not described")
	}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, method, path, body string }{
		{"owner", "POST", "/api/v1/datasets", `{"name":"Census income"}`},
		{"owner", "POST", "/api/v1/datasets", `{"name":""}`},
		{"viewer", "GET", "/api/v1/datasets?q=census", ""},
		{"viewer", "GET", "/api/v1/datasets/DS-1", ""},
		{"owner", "PATCH", "/api/v1/datasets/DS-1", `{"version":1,"description":"x"}`},
		{"owner", "POST", "/api/v1/datasets/DS-1/versions", censusVersion},
		{"owner", "POST", "/api/v1/datasets/DS-1/versions", `{"source":""}`},
		{"viewer", "GET", "/api/v1/datasets/DS-1/versions", ""},
		{"viewer", "GET", "/api/v1/datasets/DS-1/versions/1", ""},
		{"viewer", "GET", "/api/v1/dataset-lineage?version=DS-1@1", ""},
		{"viewer", "GET", "/api/v1/datasets/DS-1/history", ""},
		// A column with one value has no standard deviation; a label column gives a balance and groups.
		{"owner", "POST", "/api/v1/datasets/DS-1/versions/1/profile?label=y&positive=1&sensitive=g&reference=g:a%3D0.5", "x,y,g\n1,1,a\n,0,b\n"},
		{"owner", "POST", "/api/v1/datasets/DS-1/versions/1/profile?label=none", "x\n1\n"},
		{"viewer", "GET", "/api/v1/datasets/DS-1/versions/1", ""},
		{"viewer", "GET", "/api/v1/dataset-lineage?version=DS-1@1", ""},
		{"owner", "POST", "/api/v1/datasets/DS-1/archive", ""},
		{"globex", "GET", "/api/v1/datasets/DS-1", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, w.URL+c.path, body)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		r := w.call(t, c.who, c.method, c.path, c.body)
		if c.method == "POST" && strings.HasSuffix(c.path, "/profile") {
			req.Header.Set("Content-Type", "text/csv")
			r = w.send(t, c.who, c.method, c.path, "text/csv", strings.NewReader(c.body))
			if ok := strings.Contains(c.path, "positive=1"); ok != (r.status == 200) || ok && !bytes.Contains(r.body, []byte(`"std":null`)) {
				t.Errorf("%s answered %d %s", c.path, r.status, r.body)
			}
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s as %s → %d does not match the document: %v\n%s", c.method, c.path, c.who, r.status, err, r.body)
		}
	}
}
