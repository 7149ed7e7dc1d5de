-- +goose Up
-- A token may be scoped to one AI system: it then only records that system's
-- decisions and outcomes. NULL is an ordinary token acting with its user's role.
ALTER TABLE api_tokens ADD COLUMN system_id TEXT REFERENCES ai_systems (id);
