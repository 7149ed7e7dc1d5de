// Package metric computes fairness, performance and drift metrics as pure
// functions of counts, so that a figure from aims means what the same figure
// means in the library a data scientist already trusts.
//
// Every function takes counts, never rows: per-group confusion counts
// (Confusion), score histograms (ScoreCount) and value or category counts
// (ValueCount, CategoryCount). Counts are float64 so that they may carry
// weights; windows merge by adding counts. Nothing here touches a database or
// a file.
//
// # Classification rates
//
// Confusion follows scikit-learn: a rate whose denominator is zero is 0, not
// NaN (TPR, FPR, TNR, FNR, precision, F1), as confusion_matrix(normalize="true")
// and zero_division's default give; fairlearn inherits this. Selection rate and
// accuracy have no such convention and are NaN for an empty group.
//
// # fairlearn
//
// Difference and Ratio reproduce MetricFrame.difference and MetricFrame.ratio
// (fairlearn/metrics/_disaggregated_result.py) including pandas' NaN handling:
// NaN group values are skipped; x/0 is ±Inf and 0/0 is NaN; in ratio
// "to_overall" each group ratio x is folded to 1/x when x > 1, so +Inf becomes
// 0. The Frame methods are demographic_parity_*, equalized_odds_* and
// equal_opportunity_* with method and agg as in fairlearn. A group whose
// count N is zero is absent from the data as far as fairlearn is concerned and
// is left out. equalized_odds with agg "worst_case" combines the TPR and FPR
// results with Python's builtin max/min in that order, which means a NaN TPR
// result wins and a NaN FPR result is ignored, exactly as fairlearn does.
//
// FourFifths is demographic_parity_ratio(between_groups) < 0.8: the US
// employment-selection heuristic of 29 CFR 1607.4(D), which fairlearn's user
// guide warns is not a fairness criterion. Label it so wherever it is shown.
//
// # AIF360
//
// StatisticalParityDifference, DisparateImpact, EqualOpportunityDifferenceAIF
// and AverageOddsDifference follow aif360.metrics.ClassificationMetric: signed,
// unprivileged minus (or over) privileged, and computed with plain IEEE
// division as AIF360 does (TPR = TP/P), so a group without positives gives NaN
// rather than fairlearn's 0.
//
// # Scores
//
// AUC is the Mann–Whitney statistic with ties counted one half, equal to
// sklearn.metrics.roc_auc_score on the expanded rows. Calibration follows
// sklearn.calibration.calibration_curve(strategy="uniform"): bin edges
// linspace(0, 1, n+1), a score on an inner edge goes to the lower bin
// (numpy searchsorted side="left"), empty bins are left out.
//
// # Drift
//
// PSI = Σ (ref% − cur%)·ln(ref%/cur%). NumericDrift and CategoricalDrift bin
// like Evidently (evidently/legacy/calculations/stattests/utils.py
// get_binned_data): a numeric feature with more than 20 distinct reference
// values gets np.histogram_bin_edges(reference+current, "sturges") bins, with
// the last bin closed; otherwise each value is its own category over the union
// of reference and current values. For PSI an empty proportion is replaced,
// separately in reference and current, by min non-zero proportion/1e6 when
// that minimum is at most 1e-4, else by 1e-4. Jensen–Shannon is
// scipy.spatial.distance.jensenshannon (normalised inputs, square root of the
// divergence) on unsmoothed proportions; Evidently uses the natural log,
// NannyML base 2, and the base is stored in the Result.
//
// KS2Samp is scipy.stats.ks_2samp two-sided with method "auto": the exact
// lattice-path p-value when both samples have at most 10,000 observations,
// else scipy's asymptotic p-value kstwo.sf(D, round(n1·n2/(n1+n2))), which is
// computed here as scipy does (Simard and L'Ecuyer's choice among Ruben–Gambino,
// the Durbin matrix, Pelz–Good and the one-sided Smirnov sum) except that the
// region where scipy uses Pomeranz's recursion (n ≤ 140, 0.754693 < n·D² ≤ 4)
// uses the Durbin matrix, which is also exact, and the Smirnov sum runs in
// float64 rather than double-double (relative agreement about 1e-12 at
// n = 1600, degrading slowly with n). Both are checked against scipy's
// published kolmogn values.
//
// ChiSquare is Evidently's chi-square drift test: expected counts are the
// reference proportions times the current total over the union of categories,
// df = k − 1, p from the chi-square survival function. A category present in
// the current data but absent from the reference has expected count 0, so the
// statistic is +Inf and p is 0, as scipy.stats.chisquare gives for Evidently.
package metric
