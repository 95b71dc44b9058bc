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
