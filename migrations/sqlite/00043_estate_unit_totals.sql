-- +goose Up
-- Per-estate unit totals (issue 15): see migrations/mysql/00043_estate_unit_totals.sql.
CREATE TABLE estate_unit_totals (
    estate_id INTEGER NOT NULL PRIMARY KEY,
    units INTEGER NOT NULL DEFAULT 0,
    total_area INTEGER NOT NULL DEFAULT 0,
    delivered_area INTEGER NOT NULL DEFAULT 0
);
INSERT INTO estate_unit_totals (estate_id, units, total_area, delivered_area)
SELECT estate_id, COUNT(*), COALESCE(SUM(area), 0), COALESCE(SUM(CASE WHEN delivered THEN area ELSE 0 END), 0)
FROM units WHERE parking = 0 GROUP BY estate_id;

-- +goose StatementBegin
CREATE TRIGGER tr_units_totals_insert AFTER INSERT ON units WHEN NEW.parking = 0
BEGIN
    INSERT OR IGNORE INTO estate_unit_totals (estate_id) VALUES (NEW.estate_id);
    UPDATE estate_unit_totals SET units = units + 1, total_area = total_area + NEW.area,
        delivered_area = delivered_area + CASE WHEN NEW.delivered THEN NEW.area ELSE 0 END
    WHERE estate_id = NEW.estate_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_units_totals_delete AFTER DELETE ON units WHEN OLD.parking = 0
BEGIN
    UPDATE estate_unit_totals SET units = units - 1, total_area = total_area - OLD.area,
        delivered_area = delivered_area - CASE WHEN OLD.delivered THEN OLD.area ELSE 0 END
    WHERE estate_id = OLD.estate_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_units_totals_update AFTER UPDATE OF estate_id, area, delivered, parking ON units
BEGIN
    UPDATE estate_unit_totals SET units = units - 1, total_area = total_area - OLD.area,
        delivered_area = delivered_area - CASE WHEN OLD.delivered THEN OLD.area ELSE 0 END
    WHERE estate_id = OLD.estate_id AND OLD.parking = 0;
    INSERT OR IGNORE INTO estate_unit_totals (estate_id) SELECT NEW.estate_id WHERE NEW.parking = 0;
    UPDATE estate_unit_totals SET units = units + 1, total_area = total_area + NEW.area,
        delivered_area = delivered_area + CASE WHEN NEW.delivered THEN NEW.area ELSE 0 END
    WHERE estate_id = NEW.estate_id AND NEW.parking = 0;
END;
-- +goose StatementEnd

-- The totals replace the index that the sums were read from.
DROP INDEX ix_units_delivery;

-- +goose Down
CREATE INDEX ix_units_delivery ON units(estate_id, parking, delivered, area);
DROP TRIGGER IF EXISTS tr_units_totals_update;
DROP TRIGGER IF EXISTS tr_units_totals_delete;
DROP TRIGGER IF EXISTS tr_units_totals_insert;
DROP TABLE estate_unit_totals;
