package toolchain

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"goforxen.dev/test/internal/patchstat"
	"goforxen.dev/test/internal/xentest"
)

// upstreamTree is the pristine Go tree make.bash builds from.
func upstreamTree(t *testing.T) string {
	t.Helper()
	root := xentest.RepoRoot(t)
	// make.bash must find the bootstrap Go, not the toolchain under test.
	var path []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if !strings.HasPrefix(d, xentest.GOROOT(t)) {
			path = append(path, d)
		}
	}
	cmd := exec.Command(filepath.Join(root, "make.bash"), "-upstream")
	cmd.Env = append(os.Environ(), "PATH="+strings.Join(path, string(os.PathListSeparator)))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make.bash -upstream: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func patchFiles(t *testing.T) []string {
	t.Helper()
	patches, err := filepath.Glob(filepath.Join(xentest.RepoRoot(t), "patches", "*.patch"))
	if err != nil {
		t.Fatal(err)
	}
	if len(patches) == 0 {
		t.Fatal("no patches in patches/")
	}
	sort.Strings(patches)
	return patches
}

// The patch series applies, in order, to pristine upstream.
func TestPatchesApplyToPristineUpstream(t *testing.T) {
	upstream := upstreamTree(t)
	work := t.TempDir()
	for _, p := range patchFiles(t) {
		// Bring in the upstream files this patch changes (the series may
		// also change files an earlier patch changed or created).
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			var rel string
			if after, ok := strings.CutPrefix(line, "--- a/"); ok {
				rel = after
			} else if after, ok := strings.CutPrefix(line, "rename from "); ok {
				rel = after
			} else {
				continue
			}
			dst := filepath.Join(work, rel)
			if _, err := os.Stat(dst); err == nil {
				continue
			}
			data, err := os.ReadFile(filepath.Join(upstream, rel))
			if err != nil {
				t.Fatalf("%s changes %s, which pristine upstream lacks: %v", filepath.Base(p), rel, err)
			}
			os.MkdirAll(filepath.Dir(dst), 0o777)
			if err := os.WriteFile(dst, data, 0o666); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
		cmd := exec.Command("git", "apply", "-p1", p)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_DIR=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s does not apply to %s: %v\n%s", filepath.Base(p), upstream, err, out)
		}
	}
}

// Overlays add files; they never replace an upstream file (that is what
// patches/ is for).
func TestOverlaysDoNotShadowUpstream(t *testing.T) {
	upstream := upstreamTree(t)
	root := xentest.RepoRoot(t)
	n := 0
	for _, dir := range []string{"src", "runtime-xen"} {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(base, path)
			n++
			if _, err := os.Stat(filepath.Join(upstream, "src", rel)); err == nil {
				t.Errorf("%s/%s shadows upstream src/%s", dir, rel, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("found no overlay files")
	}
}

// The README's figure for the patch series is the series' size today.
func TestREADMEPatchSeriesFigure(t *testing.T) {
	root := xentest.RepoRoot(t)
	st, err := patchstat.Count(filepath.Join(root, "patches"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := "| patch series | " + st.String() + " |"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md has no line %q: update its Figures table (cd test && go run ./cmd/figures patches)", want)
	}
}

// The series is ordered as the README says: the patches that build xen
// first, the one that gates upstream's tests last, and no other patch
// touches a test file (go/build's dependency rules, which live in test
// files, belong with the packages they admit). Subjects are unnumbered, so
// adding a patch does not rewrite the others.
func TestPatchSeriesOrder(t *testing.T) {
	patches := patchFiles(t)
	const gating = "all: gate tests for GOOS=xen"
	for i, p := range patches {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		subject, _, _ := strings.Cut(text[strings.Index(text, "\nSubject: ")+1:], "\n")
		if strings.Contains(subject, "[PATCH ") {
			t.Errorf("%s: numbered subject %q (patches.bash export uses --no-numbered)", filepath.Base(p), subject)
		}
		isGating := strings.Contains(subject, gating)
		if last := i == len(patches)-1; isGating != last {
			t.Errorf("%s: the test-gating patch (%q) must be the last one", filepath.Base(p), gating)
		}
		if isGating {
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			f, ok := strings.CutPrefix(line, "+++ b/")
			if !ok {
				continue
			}
			rules := f == "src/go/build/deps_test.go" || f == "src/go/build/vendor_test.go"
			if !rules && (strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "src/internal/testenv/")) {
				t.Errorf("%s changes %s: test changes belong in the test-gating patch", filepath.Base(p), f)
			}
		}
	}
}
