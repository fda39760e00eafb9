// Package browser holds the real-browser suite (issue 16): Debian's Chromium, driven
// by chromedp, walks the owner's ballot on a 390×844 phone with and without
// JavaScript, the committee's vote from creation to the published result, a paper
// ballot, the resolution's verification page and the English UI against the real
// router on a real listener over SQLite. Every page is checked with axe-core
// (testdata/axe-core, test-only: injected through the DevTools protocol, never
// served) and screenshotted into $BROWSER_ARTEFACTS. The package has no code of its
// own: everything is in its tests.
package browser
