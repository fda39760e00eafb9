// Package rules holds the pure legal rules of owners' self-governance: the voter
// register (who votes, with what area), matters and their thresholds, the tally of
// an assembly vote, committee election counting, jurisdiction profiles, formation
// of the preparatory group, the Party-member ratio and statutory date arithmetic.
//
// Nothing here touches a database, the network or the clock: every function takes
// its inputs and returns its decision, so each rule can be tested by tables and by
// the golden cases in testdata/. Areas are integers in hundredths of a square metre
// and every threshold is decided by integer cross-multiplication (docs/rules.md §2).
package rules
