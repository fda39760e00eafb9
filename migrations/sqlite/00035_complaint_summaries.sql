-- +goose Up
-- Per-estate complaint summary (issue 15): see migrations/mysql/00035_complaint_summaries.sql.
CREATE TABLE complaint_summaries (
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    year INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    response_met INTEGER NOT NULL DEFAULT 0,
    response_late INTEGER NOT NULL DEFAULT 0,
    resolve_met INTEGER NOT NULL DEFAULT 0,
    resolve_late INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (estate_id, year)
);
CREATE INDEX ix_complaint_summaries_year ON complaint_summaries(year, estate_id);

CREATE TABLE complaint_summary_state (
    id INTEGER NOT NULL PRIMARY KEY,
    built BOOLEAN NOT NULL
);
INSERT INTO complaint_summary_state (id, built)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM complaints) THEN 0 ELSE 1 END;

CREATE INDEX ix_complaints_unresolved ON complaints(resolved_at, received_at);
CREATE INDEX ix_complaints_unanswered ON complaints(responded_at, received_at);

-- The delivered areas per estate (models.DeliveryStats: the formation stages of the
-- week's work and the stages chart) read from this index alone, not the unit rows.
CREATE INDEX ix_units_delivery ON units(estate_id, parking, delivered, area);

-- +goose Down
DROP INDEX ix_units_delivery;
DROP INDEX ix_complaints_unanswered;
DROP INDEX ix_complaints_unresolved;
DROP TABLE complaint_summary_state;
DROP TABLE complaint_summaries;
