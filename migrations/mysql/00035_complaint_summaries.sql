-- +goose Up
-- Per-estate complaint summary (issue 15, city-scale supervision): per estate and
-- Shanghai year of receipt, complaints received and the 三三三 stages decided by a
-- recorded instant, kept in step by app/property in the transaction of every complaint
-- change. The backfill needs the estates' profiles and the working calendar, so it runs
-- in Go (property.BuildComplaintSummary, at start-up): built = 0 until it has, when
-- there were complaints already; the rates read the complaints live meanwhile.
CREATE TABLE complaint_summaries (
    estate_id BIGINT NOT NULL,
    year INT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    response_met BIGINT NOT NULL DEFAULT 0,
    response_late BIGINT NOT NULL DEFAULT 0,
    resolve_met BIGINT NOT NULL DEFAULT 0,
    resolve_late BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (estate_id, year),
    CONSTRAINT fk_complaint_summaries_estate FOREIGN KEY (estate_id) REFERENCES estates(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_complaint_summaries_year ON complaint_summaries(year, estate_id);

CREATE TABLE complaint_summary_state (
    id INT NOT NULL PRIMARY KEY,
    built BOOLEAN NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO complaint_summary_state (id, built)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM complaints) THEN 0 ELSE 1 END;

-- The complaints whose stages are still open (read live by the rates and the week's work).
CREATE INDEX ix_complaints_unresolved ON complaints(resolved_at, received_at);
CREATE INDEX ix_complaints_unanswered ON complaints(responded_at, received_at);

-- The delivered areas per estate (models.DeliveryStats: the formation stages of the
-- week's work and the stages chart) read from this index alone, not the unit rows.
CREATE INDEX ix_units_delivery ON units(estate_id, parking, delivered, area);

-- +goose Down
DROP INDEX ix_units_delivery ON units;
DROP INDEX ix_complaints_unanswered ON complaints;
DROP INDEX ix_complaints_unresolved ON complaints;
DROP TABLE complaint_summary_state;
DROP TABLE complaint_summaries;
