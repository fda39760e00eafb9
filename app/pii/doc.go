// Package pii protects owners' personal information (PIPL; docs/rules.md §7).
//
// Resident ID numbers and mobile numbers are personal information. The platform
// never stores or logs them in clear: it keeps a keyed hash for matching one owner
// across units and rosters (HashID), an AES-256-GCM ciphertext when the clear
// value must be recoverable (Encrypt/Decrypt), and a masked form for display
// (MaskID, MaskPhone, MaskName). A Protector is built from the platform's secret
// key; there is no package-level key or other mutable state.
//
// The package also validates the two national identifier formats a roster holds:
// the 18-character resident identity number of GB 11643-1999 (ValidResidentID)
// and the 18-character unified social credit code of GB 32100-2015 (ValidUSCC).
package pii
