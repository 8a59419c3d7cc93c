//go:build !unix

package sqlite

import "os"

// lockFile opens path without locking it: on this system nothing stops a second process from opening the same
// database, so run one parley per database file.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
