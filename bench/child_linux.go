package bench

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a child (a server, a client process) if the generator dies without stopping
// it (a test binary killed at its timeout runs no deferred function), so that no child outlives its run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
