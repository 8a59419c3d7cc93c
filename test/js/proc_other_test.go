//go:build !unix

package js_test

import "os/exec"

// killGroupOnCancel keeps exec's default (kill only the direct child) where process groups are not available.
func killGroupOnCancel(cmd *exec.Cmd) {}
