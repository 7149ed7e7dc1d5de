package web_test

import (
	"net/http"
	"testing"

	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserDatasetProfile uploads the Adult data through the version
// page's form in a browser that runs the page's script, so the upload goes
// through the progress display, and checks the figures of the page it ends
// on; then a refused upload shows its errors beside the form.
func TestBrowserDatasetProfile(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, true)
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Datasets.Create(e.ctx, e.owner(), dataset.CreateRequest{Name: "Census income"}); err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := e.app.Datasets.AddVersion(e.ctx, e.owner(), "DS-1", dataset.VersionRequest{Source: "UCI", Acquisition: "public",
			Licence: "CC BY 4.0", ContainsPersonalData: &no}); err != nil {
			t.Fatal(err)
		}
		adult := servicetest.SharedData(t, "adult.data")

		b.wantStatus("version page", b.open("/datasets/DS-1/versions/1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#columns")),
			chromedp.Click(css("#header-no")),
			chromedp.SendKeys(css("#columns"), "age,workclass,fnlwgt,education,education-num,marital-status,occupation,"+
				"relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"),
			chromedp.SendKeys(css("#missing"), "?"),
			chromedp.SendKeys(css("#label"), "income"),
			chromedp.SendKeys(css("#positive"), ">50K"),
			chromedp.SendKeys(css("#sensitive"), "sex, race"),
			chromedp.SetUploadFiles(css("#file"), []string{adult}))
		b.do(chromedp.Click(css(`form[data-upload-progress] button[type="submit"]`)), chromedp.WaitVisible(css("#duplicate-rows")))
		b.shot("dataset-1-profiled")
		if loc := b.location(); loc != "/datasets/DS-1/versions/1" {
			t.Errorf("after the upload the page is %s", loc)
		}
		b.wantText("#duplicate-rows", "24")
		b.wantText(".notice-success", "DS-1@1")
		b.wantText("#rows-with-missing", "2,399")
		b.wantText("main", "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d")

		// A label that is not a column: the answer, a page of its own, names the field.
		b.do(chromedp.SetValue(css("#label"), "salary"), chromedp.SetUploadFiles(css("#file"), []string{adult}),
			chromedp.Click(css(`form[data-upload-progress] button[type="submit"]`)),
			chromedp.WaitVisible(css("#label-error")))
		b.shot("dataset-2-refused")
		b.wantText("#label-error", "salary")
		// The script sent the form and showed its answer in place: a form the
		// browser sent itself would have left the address at …/profile.
		if loc := b.location(); loc != "/datasets/DS-1/versions/1" {
			t.Errorf("the upload did not go through the page's script: the address is %s", loc)
		}
	})
}
