//go:build !linux

package bench

import "os/exec"

// dieWithParent does nothing: only Linux kills a child when its parent dies.
func dieWithParent(*exec.Cmd) {}

// lowerPriority does nothing: the priority of a child receiver is lowered on Linux only.
func lowerPriority() {}
