package testhost

import (
	"context"
	"os"
	"testing"
)

func TestTryBuild(t *testing.T) {
	h, err := Build(context.Background(), BuildConfig{Log: os.Stderr, KeepWork: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", h)
}

func TestTryBoot(t *testing.T) {
	rep, err := RunReport(context.Background(), Config{Build: BuildConfig{Log: os.Stderr}, Log: os.Stderr, KeepWorkDir: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ready %v dom0 uptime %v total %v poweroff %v mem %d avail %d rootfs %d", rep.Ready, rep.Dom0Uptime, rep.Total, rep.PowerOff, rep.Dom0MemTotalKiB, rep.Dom0MemAvailableKiB, rep.RootfsUsedKiB)
}
