package lib

import (
	"fmt"
	"os"
	"path/filepath"
)

// CgroupLimit reads files xen lacks, one named through filepath.Join.
func CgroupLimit() string {
	b, _ := os.ReadFile("/proc/self/cgroup")
	m, _ := os.ReadFile(filepath.Join("/sys/fs/cgroup", "memory.max"))
	st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", os.Getpid()))
	return string(b) + string(m) + string(st)
}

type Prober interface{ Probe() }

type Real struct{}

// Probe is reached through an interface call.
func (Real) Probe() { os.StartProcess("/bin/true", nil, &os.ProcAttr{}) }

type Unused struct{}

// Probe of a type never made is not reached.
func (Unused) Probe() { os.StartProcess("/bin/false", nil, &os.ProcAttr{}) }
