package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestCreateVersion registers a version with its data and card, and checks
// what is stored, the key, the audit event and the label's uniqueness.
func TestCreateVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		train := e.sources.addDataset(e.org, "DS-1@2", "Applications 2025")
		test := e.sources.addDataset(e.org, "DS-2@1", "Hold-out 2025")

		v, err := e.svc.CreateVersion(e.ctx, e.contributor(), "mdl-1", model.VersionRequest{Label: " 1.4.0+build.7 ",
			Digest: "SHA256:" + strings.ToUpper(digest("ab")[:64]), Framework: " scikit-learn 1.5 ",
			TrainedOn: []string{"ds-1@2", train.ID, " "}, EvaluatedOn: []string{"DS-2@1"},
			Card: model.Card{IntendedUse: " Score applications. ", KnownBiases: "Fewer women in the training data."}})
		if err != nil {
			t.Fatal(err)
		}
		want := &model.Version{ID: v.ID, Key: "MDL-1@1.4.0+build.7", ModelID: v.ModelID, ModelRef: "MDL-1", ModelName: "Scorer",
			SystemID: v.SystemID, SystemRef: "SYS-1", SystemName: "Credit scoring", Label: "1.4.0+build.7", Digest: digest("ab")[:64],
			Framework: "scikit-learn 1.5", TrainedOn: []model.DatasetVersionRef{train}, EvaluatedOn: []model.DatasetVersionRef{test},
			Card:   model.Card{IntendedUse: "Score applications.", KnownBiases: "Fewer women in the training data."},
			Status: model.VersionCandidate, Environments: []string{}, Evaluations: []model.Evaluation{}, Deployments: []model.Deployment{},
			Version: 1, CreatedBy: e.contributor().UserID, CreatedByName: "Carla Contributor", CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("created version (-want +got):\n%s", diff)
		}
		if got := v.DatasetKeys(); !cmp.Equal(got, []string{"DS-1@2", "DS-2@1"}) {
			t.Errorf("data set keys = %v", got)
		}
		ev := e.lastEvent(t)
		if ev.Action != model.ActionVersionCreate || ev.Object.Type != model.ObjectVersion || ev.Object.Ref != "MDL-1@1.4.0+build.7" {
			t.Errorf("event = %+v", ev)
		}
		ch := servicetest.ChangeMap(t, ev)
		if ch["trained_on"][1] != `["DS-1@2"]` || ch["card.known_biases"][1] != js("Fewer women in the training data.") ||
			ch["status"][1] != js("candidate") || ch["digest"][1] != js(digest("ab")[:64]) {
			t.Errorf("changes = %v", ch)
		}
		// The key, in any case, and the id find it.
		for _, key := range []string{"MDL-1@1.4.0+build.7", "mdl-1@1.4.0+BUILD.7", v.ID} {
			if got := e.get(t, key); got.ID != v.ID {
				t.Errorf("%s finds %s", key, got.ID)
			}
		}
		for _, key := range []string{"MDL-1", "MDL-1@", "@1.4.0", "MDL-1@1.4.1", "MDL-2@1.4.0+build.7"} {
			_, err := e.svc.GetVersion(e.ctx, e.viewer(), key)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}
		// Labels are unique within a model, ignoring case.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateVersion(e.ctx, e.owner(), "MDL-1", model.VersionRequest{Label: "1.4.0+BUILD.7", Digest: digest("c")})
			servicetest.WantFields(t, err, aims.CodeConflict, "label")
		})
		e.clock.Advance(time.Minute)
		second := e.version(t, "MDL-1", "1.5.0", model.VersionRequest{})
		vs, err := e.svc.Versions(e.ctx, e.viewer(), "MDL-1")
		if err != nil || len(vs) != 2 || vs[0].Key != second.Key || vs[1].TrainedOn[0].Key != "DS-1@2" || vs[0].Evaluations != nil {
			t.Errorf("versions = %+v, %v", vs, err)
		}
		m, err := e.svc.Get(e.ctx, e.viewer(), "MDL-1")
		if err != nil || m.VersionCount != 2 || m.LatestLabel != "1.5.0" {
			t.Errorf("model summary = %+v, %v", m, err)
		}
	})
}

// TestVersionValidation tries labels, digests and data set keys, good and
// bad, and checks that every bad one is named and nothing is stored.
func TestVersionValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		e.sources.addDataset(e.org, "DS-1@1", "Applications")
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		e.sources.addDataset(outsider.OrgID, "DS-7@1", "Theirs")

		good := []string{"1", "1.4.0", "v2", "2026-03-01", "1.0.0-rc.1+sha.5114f85", "A_b.C-d+e", strings.Repeat("9", 64)}
		for i, label := range good {
			if _, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-1", model.VersionRequest{Label: label, Digest: digest("f")}); err != nil {
				t.Errorf("label %q (%d): %v", label, i, err)
			}
		}
		bad := []string{"", " ", "-1", ".1", "1 0", "1/0", "1@2", "ünicode", "1?x", "a%20b", "New", strings.Repeat("9", 65)}
		for _, label := range bad {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-1", model.VersionRequest{Label: label, Digest: digest("f")})
				servicetest.WantFields(t, err, aims.CodeInvalid, "label")
			})
		}
		for _, dg := range []string{"sha256:" + digest("0"), "  " + strings.ToUpper(digest("e")) + " ", "Sha256:" + digest("1")} {
			v, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-1", model.VersionRequest{Label: "d" + dg[len(dg)-2:len(dg)-1], Digest: dg})
			if err != nil {
				t.Fatalf("digest %q: %v", dg, err)
			}
			if want, _ := model.NormaliseDigest(dg); v.Digest != want || len(v.Digest) != 64 || strings.ToLower(v.Digest) != v.Digest {
				t.Errorf("digest %q stored as %q", dg, v.Digest)
			}
		}
		for _, dg := range []string{"", digest("a")[:63], digest("g"), "sha1:" + digest("a"), "sha256:" + digest("a") + "0", "md5:abc"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-1", model.VersionRequest{Label: "x", Digest: dg})
				servicetest.WantFields(t, err, aims.CodeInvalid, "digest")
			})
		}
		// Unknown data set keys, and another organisation's, are named; every problem at once.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-1", model.VersionRequest{Label: "2.0", Digest: "nope",
				TrainedOn: []string{"DS-1@1", "DS-1@9"}, EvaluatedOn: []string{"DS-7@1"},
				Card: model.Card{Limitations: strings.Repeat("x", 4001)}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "card.limitations", "digest", "evaluated_on", "trained_on")
			if !strings.Contains(err.Error(), "names DS-1@9, which is not a data set version") {
				t.Errorf("error does not name the key: %v", err)
			}
		})
		// An unknown model answers 404 before any problem of the body.
		_, err := e.svc.CreateVersion(e.ctx, e.contributor(), "MDL-9", model.VersionRequest{})
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

// TestUpdateVersionAndFrozenCard changes a candidate's card, framework,
// digest and data; once approved, every such change is refused and says
// that a new version is needed.
func TestUpdateVersionAndFrozenCard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		e.sources.addDataset(e.org, "DS-1@1", "Applications")
		e.sources.addDataset(e.org, "DS-2@1", "Hold-out")
		v := e.version(t, "MDL-1", "1.0", model.VersionRequest{TrainedOn: []string{"DS-1@1"}})

		up, err := e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: 1, Framework: ptr("xgboost 2.1"),
			EvaluatedOn: &[]string{"DS-2@1"}, Digest: ptr("sha256:" + digest("b")),
			Card: &model.CardUpdate{IntendedUse: ptr("Score applications."), Limitations: ptr("Not for business loans.")}})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Framework != "xgboost 2.1" || up.Digest != digest("b") || len(up.TrainedOn) != 1 ||
			len(up.EvaluatedOn) != 1 || up.Card.IntendedUse != "Score applications." || up.Card.Limitations != "Not for business loans." {
			t.Errorf("updated = %+v", up)
		}
		ch := servicetest.ChangeMap(t, e.lastEvent(t))
		if len(ch) != 5 || ch["evaluated_on"] != [2]string{"[]", `["DS-2@1"]`} || ch["card.limitations"][1] != js("Not for business loans.") {
			t.Errorf("changes = %v", ch)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: 1, Framework: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: 2, Digest: ptr("x"),
				TrainedOn: &[]string{"DS-5@5"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "digest", "trained_on")
			same, err := e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: 2, Framework: ptr(" xgboost 2.1 ")})
			if err != nil || same.Version != 2 {
				t.Errorf("unchanged update = %+v, %v", same, err)
			}
		})

		e.evaluate(t, v.Key, "auc", 0.8)
		ok, err := e.svc.Approve(e.ctx, e.owner(), v.Key, model.DecisionRequest{Version: 2})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			for _, u := range []model.VersionUpdate{
				{Version: ok.Version, Card: &model.CardUpdate{Limitations: ptr("Changed after approval")}},
				{Version: ok.Version, Framework: ptr("xgboost 2.2")},
				{Version: ok.Version, TrainedOn: &[]string{"DS-2@1"}},
			} {
				_, err := e.svc.UpdateVersion(e.ctx, e.owner(), v.Key, u)
				ae := servicetest.WantCode(t, err, aims.CodeConflict)
				if !strings.Contains(ae.Message, "frozen since its approval") || !strings.Contains(ae.Message, "register a new version") {
					t.Errorf("message = %q", ae.Message)
				}
			}
		})
	})
}
