//go:build !race

package crash_test

const race = false
