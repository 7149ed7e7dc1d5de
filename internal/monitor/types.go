package monitor

import "time"

// Metrics a monitor can watch and a report shows.
const (
	// Performance, over decisions with a labelled outcome.
	MetricAccuracy  = "accuracy"
	MetricPrecision = "precision"
	MetricRecall    = "recall" // true positive rate
	MetricFPR       = "fpr"
	MetricAUC       = "auc"
	MetricECE       = "ece" // expected calibration error over ten bins
	// Per group (Group set) or everyone: the share of favourable decisions.
	MetricSelectionRate = "selection_rate"
	// Fairness across the groups of a sensitive feature.
	MetricDPDifference = "demographic_parity_difference"
	MetricDPRatio      = "demographic_parity_ratio"
	MetricEODifference = "equalized_odds_difference"
	MetricEORatio      = "equalized_odds_ratio"
	MetricEOpDiff      = "equal_opportunity_difference"
	MetricEOpRatio     = "equal_opportunity_ratio"
	// Drift of an input (or the output) against a reference window.
	MetricPSI       = "psi"
	MetricJS        = "jensen_shannon"
	MetricKS        = "ks_statistic"
	MetricKSP       = "ks_p_value"
	MetricChiSquare = "chi_square_p_value"
)

// Metrics lists every metric, in the order forms offer them.
var Metrics = []string{MetricAccuracy, MetricPrecision, MetricRecall, MetricFPR, MetricAUC, MetricECE, MetricSelectionRate,
	MetricDPDifference, MetricDPRatio, MetricEODifference, MetricEORatio, MetricEOpDiff, MetricEOpRatio,
	MetricPSI, MetricJS, MetricKS, MetricKSP, MetricChiSquare}

// Output features drift monitors may name besides the inputs.
const (
	FeatureOutputLabel = "output.label"
	FeatureOutputScore = "output.score"
)

// Windows a monitor evaluates.
const (
	WindowHour = "hour"
	WindowDay  = "day"
	WindowWeek = "week"
)

// Directions of a threshold: a value above (or below) it is a breach.
const (
	Above = "above"
	Below = "below"
)

// States of a monitor.
const (
	StateOK    = "ok"
	StateAlert = "alert" // a breach has not recovered yet
)

// Result statuses of a window.
const (
	StatusOK           = "ok"
	StatusBreach       = "breach"
	StatusInsufficient = "insufficient" // fewer samples than the monitor's minimum, or the metric is undefined
)

// Settings say how a system's decisions and outcomes read as positive and
// negative for the metrics.
type Settings struct {
	SystemID  string `json:"system_id"`
	SystemRef string `json:"system"`
	// Positive is the favourable decision, such as approve: the positive
	// prediction for selection rates and confusion counts.
	Positive string `json:"positive" doc:"The output label of a favourable decision, such as approve."`
	// PositiveOutcome is the outcome label that is the positive truth; Positive when empty.
	PositiveOutcome string    `json:"positive_outcome" doc:"The outcome label that counts as the positive truth, such as repaid; the same as positive when empty."`
	Version         int       `json:"version"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// SettingsRequest sets a system's monitoring settings.
type SettingsRequest struct {
	Positive        string `json:"positive" minLength:"1" maxLength:"200" doc:"The output label of a favourable decision, such as approve."`
	PositiveOutcome string `json:"positive_outcome,omitempty" maxLength:"200" doc:"The outcome label that counts as the positive truth; the same as positive when empty."`
}

// Monitor watches one metric of a system window by window.
type Monitor struct {
	ID        string `json:"id"`
	Ref       string `json:"ref" doc:"Short reference such as MON-3."`
	SystemID  string `json:"system_id"`
	SystemRef string `json:"system"`
	Name      string `json:"name"`
	Metric    string `json:"metric" enum:"accuracy,precision,recall,fpr,auc,ece,selection_rate,demographic_parity_difference,demographic_parity_ratio,equalized_odds_difference,equalized_odds_ratio,equal_opportunity_difference,equal_opportunity_ratio,psi,jensen_shannon,ks_statistic,ks_p_value,chi_square_p_value"`
	// Feature is the sensitive feature of a fairness metric or of a group's
	// selection rate, or the input (or output.label, output.score) of a drift metric.
	Feature string `json:"feature"`
	// Group is the group of Feature a performance or selection-rate monitor watches; everyone when empty.
	Group string `json:"group"`
	// Method is how fairness differences and ratios compare groups.
	Method string `json:"method" enum:",between_groups,to_overall"`
	// Agg combines the TPR and FPR parts of equalized odds.
	Agg string `json:"agg" enum:",worst_case,mean"`
	// ModelVersionID limits the monitor to one model version; every version when empty.
	ModelVersionID string  `json:"model_version_id"`
	ModelVersion   string  `json:"model_version" doc:"The model version's key, such as MDL-1@1.4.0; empty for every version."`
	Window         string  `json:"window" enum:"hour,day,week"`
	Threshold      float64 `json:"threshold"`
	Direction      string  `json:"direction" enum:"above,below" doc:"above: a value above the threshold is a breach; below: a value below it is."`
	MinSamples     int     `json:"min_samples" doc:"Windows with fewer decisions (with outcomes, for performance metrics) are not judged."`
	// DelayHours is how long after a window ends it is judged, so that late outcomes count.
	DelayHours int `json:"delay_hours"`
	// ReferenceFrom and ReferenceTo bound the reference window of a drift metric.
	ReferenceFrom *time.Time `json:"reference_from"`
	ReferenceTo   *time.Time `json:"reference_to"`
	// ReferenceDataset is the data set version (DS-3@2) whose profile is the reference of a drift metric, instead of a window.
	ReferenceDataset string `json:"reference_dataset"`
	// Severity is the severity of the incident a breach opens; no incident when empty.
	Severity string `json:"severity" enum:",low,medium,high,critical"`
	// OwnerID is the member who owns the incidents the monitor opens.
	OwnerID string `json:"owner_id"`
	// State is ok, or alert while a breach has not recovered.
	State string `json:"state" enum:"ok,alert"`
	// EvaluatedUntil is the end of the last window judged.
	EvaluatedUntil *time.Time `json:"evaluated_until"`
	Archived       bool       `json:"archived"`
	Version        int        `json:"version"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Request describes a monitor: a new one, or every field of one being changed.
type Request struct {
	Name             string     `json:"name" minLength:"1" maxLength:"200"`
	Metric           string     `json:"metric" enum:"accuracy,precision,recall,fpr,auc,ece,selection_rate,demographic_parity_difference,demographic_parity_ratio,equalized_odds_difference,equalized_odds_ratio,equal_opportunity_difference,equal_opportunity_ratio,psi,jensen_shannon,ks_statistic,ks_p_value,chi_square_p_value" doc:"One of the metrics, such as demographic_parity_ratio."`
	Feature          string     `json:"feature,omitempty" maxLength:"200" doc:"The sensitive feature (fairness, a group's selection rate) or the input, output.label or output.score (drift)."`
	Group            string     `json:"group,omitempty" maxLength:"200" doc:"A group of the feature, for performance and selection-rate monitors."`
	Method           string     `json:"method,omitempty" enum:",between_groups,to_overall" doc:"How fairness metrics compare groups; between_groups when empty."`
	Agg              string     `json:"agg,omitempty" enum:",worst_case,mean" doc:"How equalized odds combines TPR and FPR; worst_case when empty."`
	ModelVersion     string     `json:"model_version,omitempty" doc:"Only this model version, by id or key (MDL-1@1.4.0)."`
	Window           string     `json:"window" enum:"hour,day,week"`
	Threshold        float64    `json:"threshold"`
	Direction        string     `json:"direction" enum:"above,below"`
	MinSamples       int        `json:"min_samples,omitempty" minimum:"1" doc:"Windows with fewer samples are not judged; 30 when left out."`
	DelayHours       int        `json:"delay_hours,omitempty" minimum:"0" maximum:"8760" doc:"Hours to wait after a window ends before judging it."`
	ReferenceFrom    *time.Time `json:"reference_from,omitempty" doc:"Start of the reference window of a drift metric."`
	ReferenceTo      *time.Time `json:"reference_to,omitempty" doc:"End of the reference window of a drift metric."`
	ReferenceDataset string     `json:"reference_dataset,omitempty" maxLength:"200" doc:"A data set version (DS-3@2) whose profile is the reference of a drift metric, instead of a window."`
	Severity         string     `json:"severity,omitempty" enum:",low,medium,high,critical" doc:"Severity of the incident a breach opens; none opens when empty."`
	OwnerID          string     `json:"owner_id,omitempty" doc:"The member who owns the incidents; you when left out."`
}

// UpdateRequest replaces a monitor's fields, if it has not changed since the version it is based on.
type UpdateRequest struct {
	Version int `json:"version" minimum:"1"`
	Request
}

// Result is a monitor's judgement of one window.
type Result struct {
	Window   time.Time `json:"window"`
	Value    *float64  `json:"value" doc:"The metric's value; null when it is undefined."`
	N        int64     `json:"n" doc:"The samples it was computed from."`
	Status   string    `json:"status" enum:"ok,breach,insufficient"`
	JudgedAt time.Time `json:"judged_at"`
}

// Alert is a breach of a monitor, open until a later window is back within its threshold.
type Alert struct {
	ID             string     `json:"id"`
	MonitorRef     string     `json:"monitor"`
	MonitorName    string     `json:"monitor_name"`
	SystemRef      string     `json:"system"`
	Window         time.Time  `json:"window" doc:"The first window that breached."`
	Value          *float64   `json:"value"`
	Threshold      float64    `json:"threshold"`
	Direction      string     `json:"direction"`
	OpenedAt       time.Time  `json:"opened_at"`
	Incident       string     `json:"incident" doc:"The incident opened for it, such as INC-4; empty when none."`
	RecoveredAt    *time.Time `json:"recovered_at"`
	RecoveryWindow *time.Time `json:"recovery_window" doc:"The first window back within the threshold."`
	owner          string
}

// ReportQuery selects what a report covers.
type ReportQuery struct {
	// From and To bound the decision times, [From, To), rounded down to the hour.
	From, To time.Time
	// Window splits the range for the series: hour, day or week; day when empty.
	Window string
	// ModelVersion keeps one model version (id or key); every version when empty.
	ModelVersion string
	// ReferenceFrom and ReferenceTo bound the reference of the drift
	// measures; the range of the same length just before From when nil.
	ReferenceFrom, ReferenceTo *time.Time
	// ReferenceDataset, a data set version (DS-3@2), makes its profile the
	// reference of the drift measures instead of a range.
	ReferenceDataset string
}

// Value is one metric's value; nil when undefined (no samples, 0/0).
type Value = *float64

// Performance is how well one model version (or every version, when
// ModelVersion is empty) decided over decisions with a labelled outcome.
type Performance struct {
	ModelVersionID string           `json:"model_version_id"`
	ModelVersion   string           `json:"model_version" doc:"The version's key; empty for every version together."`
	N              int64            `json:"n" doc:"Decisions."`
	Labelled       int64            `json:"labelled" doc:"Decisions with a labelled outcome."`
	SelectionRate  Value            `json:"selection_rate"`
	Accuracy       Value            `json:"accuracy"`
	Precision      Value            `json:"precision"`
	Recall         Value            `json:"recall"`
	FPR            Value            `json:"fpr"`
	AUC            Value            `json:"auc" doc:"ROC AUC from scores rounded to two significant digits."`
	ECE            Value            `json:"ece" doc:"Expected calibration error over ten equal bins of [0, 1]; null unless every score is in [0, 1]."`
	Calibration    []CalibrationBin `json:"calibration"`
}

// CalibrationBin is one bin of a calibration curve.
type CalibrationBin struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	MeanScore float64 `json:"mean_score"`
	Observed  float64 `json:"observed" doc:"The share of positive outcomes."`
	N         float64 `json:"n"`
}

// GroupRates are one group's rates.
type GroupRates struct {
	Group         string `json:"group"`
	N             int64  `json:"n"`
	Labelled      int64  `json:"labelled"`
	SelectionRate Value  `json:"selection_rate"`
	TPR           Value  `json:"tpr"`
	FPR           Value  `json:"fpr"`
	Accuracy      Value  `json:"accuracy"`
}

// Disparity is one fairness metric across a feature's groups.
type Disparity struct {
	Metric string `json:"metric"`
	Method string `json:"method" enum:"between_groups,to_overall"`
	Agg    string `json:"agg,omitempty" enum:",worst_case,mean"`
	Value  Value  `json:"value"`
}

// Fairness compares the groups of one sensitive feature (or pair of features).
type Fairness struct {
	Feature     string       `json:"feature"`
	Groups      []GroupRates `json:"groups"`
	Overall     GroupRates   `json:"overall"`
	Disparities []Disparity  `json:"disparities"`
	// FourFifths is the demographic parity ratio between groups, the US
	// employment-selection heuristic of 29 CFR 1607.4(D): below 0.8 is
	// generally taken as evidence of adverse impact. It is not a fairness criterion.
	FourFifths        Value `json:"four_fifths_ratio"`
	FourFifthsAdverse bool  `json:"four_fifths_adverse"`
}

// Drift is how far one input (or the output) moved from the reference.
type Drift struct {
	Feature  string         `json:"feature"`
	Kind     string         `json:"kind" enum:"numeric,categorical"`
	Measures []DriftMeasure `json:"measures" doc:"PSI, Jensen–Shannon distance, and KS (numeric) or chi-square (categorical)."`
	Drifted  bool           `json:"drifted" doc:"PSI at least 0.1, the threshold Evidently applies to PSI."`
}

// DriftMeasure is one drift measure with the parameters that make it
// comparable with Evidently or NannyML.
type DriftMeasure struct {
	Method     string    `json:"method"`
	Value      float64   `json:"value"`
	PValue     *float64  `json:"p_value,omitempty"`
	Binning    string    `json:"binning"`
	Edges      []float64 `json:"edges,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Epsilon    float64   `json:"epsilon,omitempty" doc:"PSI: what replaced the reference's empty proportions."`
	EpsilonCur float64   `json:"epsilon_current,omitempty" doc:"PSI: what replaced the current data's empty proportions."`
	LogBase    float64   `json:"log_base,omitempty"`
	DF         int       `json:"df,omitempty"`
	NRef       float64   `json:"n_reference"`
	NCur       float64   `json:"n_current"`
}

// Point is the value of the headline rates in one window of the series.
type Point struct {
	Window        time.Time `json:"window"`
	N             int64     `json:"n"`
	Labelled      int64     `json:"labelled"`
	SelectionRate Value     `json:"selection_rate"`
	Accuracy      Value     `json:"accuracy"`
	Recall        Value     `json:"recall"`
	FPR           Value     `json:"fpr"`
}

// GroupSeries is one group's rates window by window.
type GroupSeries struct {
	Feature string       `json:"feature"`
	Group   string       `json:"group"`
	Points  []GroupPoint `json:"points"`
}

// GroupPoint is a group's rates in one window.
type GroupPoint struct {
	Window        time.Time `json:"window"`
	N             int64     `json:"n"`
	SelectionRate Value     `json:"selection_rate"`
	TPR           Value     `json:"tpr"`
	FPR           Value     `json:"fpr"`
}

// Report is a system's performance, fairness and drift over a range.
type Report struct {
	System        string    `json:"system"`
	SystemName    string    `json:"system_name"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Window        string    `json:"window"`
	ModelVersion  string    `json:"model_version"`
	ReferenceFrom time.Time `json:"reference_from"`
	ReferenceTo   time.Time `json:"reference_to"`
	// ReferenceDataset is the data set version whose profile was the reference, when one was.
	ReferenceDataset string        `json:"reference_dataset,omitempty"`
	Settings         Settings      `json:"settings"`
	Performance      []Performance `json:"performance" doc:"Every version together first, then each version."`
	Fairness         []Fairness    `json:"fairness"`
	Drift            []Drift       `json:"drift" doc:"Ranked by PSI, largest first."`
	Series           []Point       `json:"series"`
	Groups           []GroupSeries `json:"groups"`
	Monitors         []Monitor     `json:"monitors"`
	Alerts           []Alert       `json:"alerts" doc:"Alerts opened in the range."`
}

// AlertQuery selects alerts.
type AlertQuery struct {
	// System keeps one system's alerts; every system's when empty.
	System string
	// Open keeps the alerts not yet recovered.
	Open bool
}

// EvaluateResult says what an evaluation judged.
type EvaluateResult struct {
	Monitor   string  `json:"monitor"`
	Judged    int     `json:"judged" doc:"Windows judged."`
	Breaches  int     `json:"breaches"`
	Opened    []Alert `json:"opened" doc:"Alerts opened."`
	Recovered int     `json:"recovered" doc:"Alerts recovered."`
}
