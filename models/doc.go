// Package models holds the GORM entities of the platform, one file per aggregate,
// and the queries that read and write them. It makes no business decisions: the
// services in app/ decide; models only map rows. The schema itself is defined by
// the numbered migrations in migrations/, never by MigrateAtStart.
package models
