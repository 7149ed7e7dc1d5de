package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aims-dev/aims/internal/model"
	"github.com/danielgtaylor/huma/v2"
)

type modelImportInput struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
	Body  model.ImportRequest
}

type modelImportOutput struct{ Body *model.ImportResult }

// registerModelImport adds the import of evaluation reports written by fairlearn, Evidently and MLflow.
func registerModelImport(r *registrar, s Services) {
	register(r, huma.Operation{
		OperationID: "import-model-evaluations", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/evaluations/import",
		Tags: []string{"Models"}, Summary: "Import an evaluation report", DefaultStatus: http.StatusCreated,
		Description: "Records the numeric results of a report written by another tool and keeps the report itself as evidence " +
			"(kind file, linked to control A.6.2.6 and the model's AI system). `format` is `fairlearn` (a MetricFrame's `overall`, " +
			"`by_group`, `difference`, `ratio`, `group_min`, `group_max`, or plain numbers; `feature` names the sensitive feature), " +
			"`evidently` (a report's `json()` or `as_dict()`, Evidently 0.4 and later) or `mlflow` (a run from the REST API or " +
			"`mlflow runs describe`, where the latest step of each metric wins, or an object of metric names and values). " +
			"`report` is the tool's JSON as a JSON value. Each result's note names the evidence, then `note`; `dataset` and " +
			"`measured_on` apply to every result. " + fmt.Sprintf("At most 200 results and %d MiB per report. ", model.MaxReportBytes>>20) +
			"A report that cannot be read answers 422 at `body.report` and nothing is kept.",
		MaxBodyBytes: model.MaxReportBytes + r.maxBody,
		Errors:       []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *modelImportInput) (*modelImportOutput, error) {
		res, err := s.Models.ImportEvaluations(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &modelImportOutput{res}, nil
	})
}
