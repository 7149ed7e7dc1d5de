-- +goose Up
-- The key of the model version an impact assessment assesses, such as
-- MDL-1@1.4.0, kept beside model_version_id so that the assessment names it
-- without reading the model registry; empty when no version is named.
ALTER TABLE impact_assessments ADD COLUMN model_version_key TEXT NOT NULL DEFAULT '';
