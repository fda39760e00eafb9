-- +goose Up
-- Issue 10, finding 2: a stored ID mask showed the last 4 characters, inside the
-- 6-character identity check. Masks now keep at most the first 4 characters
-- (min(4, n-6) of n, never negative) and the rest is stars, as wide as the value
-- (app/pii MaskID). Every old mask kept at least that many leading characters in
-- clear, so cutting it there and padding with '*' gives exactly the new mask.
-- (proxy_id_masked is a display column of the otherwise immutable ballots.)
UPDATE owners SET id_masked = CONCAT(
    LEFT(id_masked, GREATEST(0, LEAST(4, CHAR_LENGTH(id_masked) - 6))),
    REPEAT('*', CHAR_LENGTH(id_masked) - GREATEST(0, LEAST(4, CHAR_LENGTH(id_masked) - 6))))
WHERE id_masked <> '';
UPDATE ballots SET proxy_id_masked = CONCAT(
    LEFT(proxy_id_masked, GREATEST(0, LEAST(4, CHAR_LENGTH(proxy_id_masked) - 6))),
    REPEAT('*', CHAR_LENGTH(proxy_id_masked) - GREATEST(0, LEAST(4, CHAR_LENGTH(proxy_id_masked) - 6))))
WHERE proxy_id_masked <> '';

-- Finding 10: the State Council's holiday notices loaded by the platform administrator
-- (app/calendar). The notices shipped in app/rules stay built in; a year loaded here
-- replaces the built-in one of the same year.
CREATE TABLE holiday_calendars (
    year INT NOT NULL PRIMARY KEY,
    basis VARCHAR(255) NOT NULL,
    loaded_by BIGINT NULL,
    loaded_by_name VARCHAR(64) NOT NULL DEFAULT '',
    loaded_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_holiday_calendars_user FOREIGN KEY (loaded_by) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The year's days: 'rest' spans (statutory holidays with the days swapped into them)
-- and 'workday' make-up working days (date_from = date_to), dates as YYYY-MM-DD.
CREATE TABLE holiday_calendar_days (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    year INT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    date_from CHAR(10) NOT NULL,
    date_to CHAR(10) NOT NULL,
    CONSTRAINT fk_holiday_calendar_days_year FOREIGN KEY (year) REFERENCES holiday_calendars(year),
    CONSTRAINT ck_holiday_calendar_days_kind CHECK (kind IN ('rest','workday')),
    KEY idx_holiday_calendar_days_year (year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE holiday_calendar_days;
DROP TABLE holiday_calendars;
-- The masks stay in their new form: the old one cannot be restored from a mask.
