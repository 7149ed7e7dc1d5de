package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
)

// TestProfileUploadLimitFromConfig: AIMS_PROFILE_MAX_BYTES bounds the files
// accepted for profiling, whatever the request body limit; nothing is stored
// of a file over it.
func TestProfileUploadLimitFromConfig(t *testing.T) {
	env := apptest.NewWithConfig(t, apptest.Config(t, db.SQLite, map[string]string{"AIMS_PROFILE_MAX_BYTES": "2048"}))
	token := env.Member("Acme", "dana@acme.example", aims.RoleContributor)
	send := func(method, path, ctype, body string) int {
		req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", ctype)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := send(http.MethodPost, "/api/v1/datasets", "application/json", `{"name":"Census income"}`); got != http.StatusCreated {
		t.Fatalf("create: %d", got)
	}
	if got := send(http.MethodPost, "/api/v1/datasets/DS-1/versions", "application/json",
		`{"source":"UCI","acquisition":"public","licence":"CC BY 4.0","contains_personal_data":false}`); got != http.StatusCreated {
		t.Fatalf("version: %d", got)
	}
	upload := func(body string) int {
		return send(http.MethodPost, "/api/v1/datasets/DS-1/versions/1/profile?file_name=a.csv", "text/csv", body)
	}
	if got := upload("a,b\n" + strings.Repeat("1,2\n", 1000)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("4 KB over a 2 KB limit: %d, want 413", got)
	}
	var profiled int
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM dataset_versions WHERE profile IS NOT NULL`).Scan(&profiled); err != nil || profiled != 0 {
		t.Errorf("after the refused upload %d versions have a profile (%v)", profiled, err)
	}
	if got := upload("a,b\n1,2\n3,4\n"); got != http.StatusOK {
		t.Errorf("a small file: %d, want 200", got)
	}
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM dataset_versions WHERE profile IS NOT NULL`).Scan(&profiled); err != nil || profiled != 1 {
		t.Errorf("after the small upload %d versions have a profile (%v)", profiled, err)
	}
}
