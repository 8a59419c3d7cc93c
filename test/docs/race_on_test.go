//go:build race

package docs_test

// race: this test runs under the race detector, and so does the server it builds.
const race = true
