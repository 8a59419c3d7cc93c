package bench

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// dieWithParent has the kernel kill a child (a server, a client process) if the generator dies without stopping
// it (a test binary killed at its timeout runs no deferred function), so that no child outlives its run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// lowerPriority gives every thread of this process the lowest CPU priority (nice 19); threads the runtime
// starts later inherit it from the thread that starts them. (On Linux the nice value is per thread.)
func lowerPriority() {
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19)
		}
	}
}
