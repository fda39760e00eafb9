-- +goose Up
-- Per-estate unit totals (issue 15): the count, area and delivered area of each
-- estate's units, parking spaces excluded (models.DeliveryStats: the formation
-- stage of every estate without a group or committee, on the city's week's work and
-- stages chart). Summing them from the units, even through an index, read some
-- 840,000 index entries per request at 10,000 estates and 3 million units; the
-- totals are one row per estate, kept in step by triggers on units, so that no
-- writer of units (roster import and edits, fixtures, the city generator) can leave
-- them behind. The backfill runs before the triggers exist: apply it with no
-- server writing units (AUTO_MIGRATE at start does).
CREATE TABLE estate_unit_totals (
    estate_id BIGINT NOT NULL PRIMARY KEY,
    units BIGINT NOT NULL DEFAULT 0,
    total_area BIGINT NOT NULL DEFAULT 0,
    delivered_area BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO estate_unit_totals (estate_id, units, total_area, delivered_area)
SELECT estate_id, COUNT(*), COALESCE(SUM(area), 0), COALESCE(SUM(CASE WHEN delivered THEN area ELSE 0 END), 0)
FROM units WHERE parking = FALSE GROUP BY estate_id;

-- +goose StatementBegin
CREATE TRIGGER tr_units_totals_insert AFTER INSERT ON units FOR EACH ROW
BEGIN
    IF NOT NEW.parking THEN
        INSERT INTO estate_unit_totals (estate_id, units, total_area, delivered_area)
        VALUES (NEW.estate_id, 1, NEW.area, IF(NEW.delivered, NEW.area, 0))
        ON DUPLICATE KEY UPDATE units = units + 1, total_area = total_area + NEW.area,
            delivered_area = delivered_area + IF(NEW.delivered, NEW.area, 0);
    END IF;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_units_totals_delete AFTER DELETE ON units FOR EACH ROW
BEGIN
    IF NOT OLD.parking THEN
        UPDATE estate_unit_totals SET units = units - 1, total_area = total_area - OLD.area,
            delivered_area = delivered_area - IF(OLD.delivered, OLD.area, 0)
        WHERE estate_id = OLD.estate_id;
    END IF;
END;
-- +goose StatementEnd
-- +goose StatementBegin
-- Only an update of a counted column touches the totals (SQLite's UPDATE OF): an
-- edit of a unit's number or room does not lock the estate's totals row.
CREATE TRIGGER tr_units_totals_update AFTER UPDATE ON units FOR EACH ROW
BEGIN
    IF OLD.estate_id <> NEW.estate_id OR OLD.area <> NEW.area OR OLD.delivered <> NEW.delivered OR OLD.parking <> NEW.parking THEN
        IF NOT OLD.parking THEN
            UPDATE estate_unit_totals SET units = units - 1, total_area = total_area - OLD.area,
                delivered_area = delivered_area - IF(OLD.delivered, OLD.area, 0)
            WHERE estate_id = OLD.estate_id;
        END IF;
        IF NOT NEW.parking THEN
            INSERT INTO estate_unit_totals (estate_id, units, total_area, delivered_area)
            VALUES (NEW.estate_id, 1, NEW.area, IF(NEW.delivered, NEW.area, 0))
            ON DUPLICATE KEY UPDATE units = units + 1, total_area = total_area + NEW.area,
                delivered_area = delivered_area + IF(NEW.delivered, NEW.area, 0);
        END IF;
    END IF;
END;
-- +goose StatementEnd

-- The totals replace the index that the sums were read from.
DROP INDEX ix_units_delivery ON units;

-- +goose Down
CREATE INDEX ix_units_delivery ON units(estate_id, parking, delivered, area);
DROP TRIGGER IF EXISTS tr_units_totals_update;
DROP TRIGGER IF EXISTS tr_units_totals_delete;
DROP TRIGGER IF EXISTS tr_units_totals_insert;
DROP TABLE estate_unit_totals;
