package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/danielgtaylor/huma/v2"
)

// reportDays is how many days a report covers when the range is left out.
const reportDays = 30

type monitorSystemPath struct {
	ID string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
}

type monitorPath struct {
	Ref string `path:"ref" doc:"The monitor's reference, such as MON-3, or its id."`
}

type monitorSettingsOutput struct{ Body *monitor.Settings }

type monitorSettingsInput struct {
	ID   string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Body monitor.SettingsRequest
}

type monitorReportInput struct {
	ID            string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	From          string `query:"from" doc:"Start of the range, inclusive: an RFC 3339 time or a date such as 2026-11-01 (midnight UTC); 30 days before to when left out."`
	To            string `query:"to" doc:"End of the range, exclusive: an RFC 3339 time or a date such as 2026-12-01 (midnight UTC); the end of today (UTC) when left out."`
	Window        string `query:"window" enum:"hour,day,week" doc:"How the series splits the range; day when left out."`
	ModelVersion  string `query:"model_version" doc:"Only this model version, by id or key such as MDL-1@1.4.0; every version when left out."`
	ReferenceFrom string `query:"reference_from" doc:"Start of the drift reference (RFC 3339 or a date); the range of the same length just before from when left out."`
	ReferenceTo   string `query:"reference_to" doc:"End of the drift reference, exclusive (RFC 3339 or a date)."`
	// ReferenceDataset makes a data set version's profile the drift reference.
	ReferenceDataset string `query:"reference_dataset" doc:"A data set version, such as DS-3@2, whose profile is the drift reference instead of a range."`
}

type monitorReportOutput struct{ Body *monitor.Report }

type monitorOutput struct{ Body *monitor.Monitor }

type monitorListOutput struct {
	Body struct {
		Items []monitor.Monitor `json:"items"`
	}
}

type monitorListInput struct {
	System string `query:"system" doc:"Only this AI system's monitors (SYS-3 or its id); every system's when left out."`
}

type monitorCreateInput struct {
	ID   string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Body monitor.Request
}

type monitorUpdateInput struct {
	Ref  string `path:"ref" doc:"The monitor's reference, such as MON-3, or its id."`
	Body monitor.UpdateRequest
}

type monitorResultsInput struct {
	Ref  string `path:"ref" doc:"The monitor's reference, such as MON-3, or its id."`
	From string `query:"from" doc:"Only windows starting at or after this time (RFC 3339 or a date); from the first when left out."`
	To   string `query:"to" doc:"Only windows starting before this time (RFC 3339 or a date); to the last when left out."`
}

type monitorResultsOutput struct {
	Body struct {
		Items []monitor.Result `json:"items" doc:"The judged windows, oldest first."`
	}
}

type monitorEvaluateOutput struct{ Body *monitor.EvaluateResult }

type alertListInput struct {
	System string `query:"system" doc:"Only this AI system's alerts (SYS-3 or its id); every system's when left out."`
	Open   bool   `query:"open" doc:"Only alerts not yet recovered."`
}

type alertListOutput struct {
	Body struct {
		Items []monitor.Alert `json:"items" doc:"Newest first."`
	}
}

// parseInstant reads a time given as RFC 3339 or as a date (midnight UTC);
// empty gives the zero time.
func parseInstant(field, v string, p *aims.Problems) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t, err = time.Parse(time.DateOnly, v)
	}
	switch t = t.UTC(); {
	case err != nil:
		p.Add(field, "must be a time such as 2026-11-01T00:00:00Z or a date such as 2026-11-01")
	case t.Year() < 1970 || t.Year() > 9999:
		p.Add(field, "must be a time between 1970 and 9999")
	default:
		return t
	}
	return time.Time{}
}

// reportQuery turns the query of a report into the service's: to is the
// end of today (UTC) and from 30 days before to when left out.
func reportQuery(in *monitorReportInput, now time.Time) (monitor.ReportQuery, error) {
	var p aims.Problems
	q := monitor.ReportQuery{Window: in.Window, ModelVersion: strings.TrimSpace(in.ModelVersion), ReferenceDataset: strings.TrimSpace(in.ReferenceDataset)}
	q.From = parseInstant("from", in.From, &p)
	q.To = parseInstant("to", in.To, &p)
	if rf := parseInstant("reference_from", in.ReferenceFrom, &p); !rf.IsZero() {
		q.ReferenceFrom = &rf
	}
	if rt := parseInstant("reference_to", in.ReferenceTo, &p); !rt.IsZero() {
		q.ReferenceTo = &rt
	}
	if err := p.Err(); err != nil {
		return q, err
	}
	if q.Window == "" {
		q.Window = monitor.WindowDay
	}
	if q.To.IsZero() {
		q.To = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -reportDays)
	}
	return q, nil
}

// registerMonitors adds the monitoring operations: settings, reports,
// monitors, their results and alerts.
func registerMonitors(r *registrar, s Services) {
	tags := []string{"Monitoring"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	one := func(location string, call func() (*monitor.Monitor, error)) (*monitorOutput, error) {
		m, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &monitorOutput{m}, nil
	}
	register(r, huma.Operation{
		OperationID: "get-monitoring-settings", Method: http.MethodGet, Path: "/api/v1/systems/{id}/monitoring/settings", Tags: tags,
		Summary:     "Monitoring settings of a system",
		Description: "Which output label is the favourable decision and which outcome label is the positive truth, for the system's metrics.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *monitorSystemPath) (*monitorSettingsOutput, error) {
		st, err := s.Monitors.Settings(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &monitorSettingsOutput{st}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-monitoring-settings", Method: http.MethodPut, Path: "/api/v1/systems/{id}/monitoring/settings", Tags: tags,
		Summary: "Set monitoring settings of a system",
		Description: "Sets the output label of a favourable decision (`positive`, such as approve) and the outcome label that is the positive truth " +
			"(`positive_outcome`, such as repaid; the same as `positive` when left out). For owners, managers and contributors.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *monitorSettingsInput) (*monitorSettingsOutput, error) {
		st, err := s.Monitors.SetSettings(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &monitorSettingsOutput{st}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-monitoring-report", Method: http.MethodGet, Path: "/api/v1/systems/{id}/monitoring/report", Tags: tags,
		Summary: "Performance, fairness and drift of a system",
		Description: "Computes from the decision log's per-window statistics, over [from, to): performance per model version (accuracy, precision, " +
			"recall, FPR, ROC AUC, expected calibration error), fairness per sensitive feature (each group's rates and the disparities between them, " +
			"with the four-fifths ratio, a US employment-selection heuristic rather than a fairness criterion), drift of each input and of the output " +
			"against the reference range, ranked by PSI, and the headline rates window by window. The last 30 days by day when the range is left out.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *monitorReportInput) (*monitorReportOutput, error) {
		q, err := reportQuery(in, time.Now())
		if err != nil {
			return nil, problem(err, "query")
		}
		rep, err := s.Monitors.Report(ctx, actor(ctx), in.ID, q)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &monitorReportOutput{rep}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-system-monitors", Method: http.MethodGet, Path: "/api/v1/systems/{id}/monitors", Tags: tags,
		Summary: "List a system's monitors", Description: "The system's monitors, archived ones included, with their state.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *monitorSystemPath) (*monitorListOutput, error) {
		ms, err := s.Monitors.List(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &monitorListOutput{}
		out.Body.Items = nonNil(ms)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-monitor", Method: http.MethodPost, Path: "/api/v1/systems/{id}/monitors", Tags: tags,
		Summary: "Add a monitor", DefaultStatus: http.StatusCreated,
		Description: "Watches one metric of the system window by window: each window, once `delay_hours` have passed after it ends, is judged " +
			"against the threshold; a breach raises an alert and, with a `severity`, opens an incident; the alert recovers when a later window is " +
			"back within the threshold. For owners, managers and contributors.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *monitorCreateInput) (*monitorOutput, error) {
		return one("body", func() (*monitor.Monitor, error) { return s.Monitors.Create(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "list-monitors", Method: http.MethodGet, Path: "/api/v1/monitors", Tags: tags,
		Summary: "List monitors", Description: "The monitors of every AI system of the organisation, or of one with `system`.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *monitorListInput) (*monitorListOutput, error) {
		ms, err := s.Monitors.List(ctx, actor(ctx), strings.TrimSpace(in.System))
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &monitorListOutput{}
		out.Body.Items = nonNil(ms)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-monitor", Method: http.MethodGet, Path: "/api/v1/monitors/{ref}", Tags: tags,
		Summary: "Get a monitor", Description: "The monitor with its threshold, its state and the end of the last window judged.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *monitorPath) (*monitorOutput, error) {
		return one("path", func() (*monitor.Monitor, error) { return s.Monitors.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-monitor", Method: http.MethodPut, Path: "/api/v1/monitors/{ref}", Tags: tags,
		Summary:     "Change a monitor",
		Description: "Replaces the monitor's fields. `version` must be the version as you read it. For owners, managers and contributors.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *monitorUpdateInput) (*monitorOutput, error) {
		return one("body", func() (*monitor.Monitor, error) { return s.Monitors.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "archive-monitor", Method: http.MethodPost, Path: "/api/v1/monitors/{ref}/archive", Tags: tags,
		Summary: "Archive a monitor",
		Description: "Stops judging windows; the monitor, its results and its alerts are kept for the record; archiving it again changes nothing. " +
			"For owners, managers and contributors.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *monitorPath) (*monitorOutput, error) {
		return one("path", func() (*monitor.Monitor, error) { return s.Monitors.Archive(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "list-monitor-results", Method: http.MethodGet, Path: "/api/v1/monitors/{ref}/results", Tags: tags,
		Summary:     "A monitor's judged windows",
		Description: "Each judged window with the metric's value (null when undefined), the samples it came from and ok, breach or insufficient; oldest first.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *monitorResultsInput) (*monitorResultsOutput, error) {
		var p aims.Problems
		from := parseInstant("from", in.From, &p)
		to := parseInstant("to", in.To, &p)
		if err := p.Err(); err != nil {
			return nil, problem(err, "query")
		}
		rs, err := s.Monitors.Results(ctx, actor(ctx), in.Ref, from, to)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &monitorResultsOutput{}
		out.Body.Items = nonNil(rs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "evaluate-monitor", Method: http.MethodPost, Path: "/api/v1/monitors/{ref}/evaluate", Tags: tags,
		Summary: "Judge a monitor's due windows now",
		Description: "Judges every window of the monitor that is due, as the background job does each minute, and says how many were judged, " +
			"breached and recovered, with the alerts opened. For owners, managers and contributors.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *monitorPath) (*monitorEvaluateOutput, error) {
		res, err := s.Monitors.Evaluate(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &monitorEvaluateOutput{res}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-monitor-alerts", Method: http.MethodGet, Path: "/api/v1/alerts", Tags: tags,
		Summary:     "List monitoring alerts",
		Description: "Breaches of monitors, newest first, with the incident each opened and when it recovered; `open=true` keeps those not yet recovered.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *alertListInput) (*alertListOutput, error) {
		as, err := s.Monitors.Alerts(ctx, actor(ctx), monitor.AlertQuery{System: strings.TrimSpace(in.System), Open: in.Open})
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &alertListOutput{}
		out.Body.Items = nonNil(as)
		return out, nil
	})
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
