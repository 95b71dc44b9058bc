package main

// The release figures (sections distpack and deploy). distpack: the sizes
// of the archives in GOROOT/pkg/distpack (./make.bash -distpack), the time
// of a -distpack build (the rebuild from the source tarball in a fresh
// directory with a fresh build cache: upstream src/make.bash, the host tools
// and distpack, the last step timed on its own) and whether that rebuild
// gave byte-identical archives. deploy: on one boot of the test host, hello
// deployed N times with xl create hello.cfg and N times with virsh create
// hello.xml (the examples as they are), create to first console output.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"goforxen.dev/misc/xen/testhost"
)

func goEnv(key string) string {
	out, err := exec.Command("go", "env", key).Output()
	check(err)
	return strings.TrimSpace(string(out))
}

func distpackFigures(root, dir string) {
	fmt.Println("\n## Release archives (./make.bash -distpack, GOROOT/pkg/distpack)")
	goroot := goEnv("GOROOT")
	pack := filepath.Join(goroot, "pkg", "distpack")
	ents, err := os.ReadDir(pack)
	if err != nil || len(ents) == 0 {
		fatal(fmt.Sprintf("no archives in %s: build with ./make.bash -distpack (%v)", pack, err))
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		if strings.HasSuffix(e.Name(), ".tar.gz") || strings.HasSuffix(e.Name(), ".zip") {
			fmt.Printf("%-44s %7.1f MiB\n", e.Name(), mib(size(filepath.Join(pack, e.Name()))))
		}
	}
	var src string
	for _, n := range names {
		if strings.HasSuffix(n, ".src.tar.gz") {
			src = filepath.Join(pack, n)
		}
	}
	if src == "" {
		fatal("no source tarball in " + pack)
	}

	fmt.Println("\n## A -distpack build: the source tarball rebuilt in another directory (fresh build cache, no network)")
	work := filepath.Join(dir, "rebuild")
	check(os.MkdirAll(filepath.Join(work, "home"), 0o777))
	if out, err := exec.Command("tar", "-C", work, "-xzf", src).CombinedOutput(); err != nil {
		fatal(fmt.Sprintf("unpacking %s: %v\n%s", src, err, out))
	}
	bootstrap := goroot
	if b, err := exec.Command(filepath.Join(root, "make.bash"), "-upstream").Output(); err == nil {
		if up := strings.TrimSpace(string(b)); fileExists(filepath.Join(up, "bin", "go")) {
			bootstrap = up
		}
	}
	cmd := exec.Command(filepath.Join(work, "go", "misc", "xen", "make.bash"), "-distpack")
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + filepath.Join(work, "home"),
		"GOROOT_BOOTSTRAP=" + bootstrap, "GOCACHE=" + filepath.Join(work, "gocache"), "GOPROXY=off"}
	var log bytes.Buffer
	pr, pw, err := os.Pipe()
	check(err)
	cmd.Stdout, cmd.Stderr = pw, pw
	t0 := time.Now()
	check(cmd.Start())
	pw.Close()
	phases := map[string]time.Duration{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		log.WriteString(line + "\n")
		if name, ok := strings.CutPrefix(line, "##### "); ok {
			phases[name] = time.Since(t0)
		}
	}
	err = cmd.Wait()
	total := time.Since(t0)
	if err != nil {
		fatal(fmt.Sprintf("go/misc/xen/make.bash -distpack: %v\n%s", err, log.Bytes()))
	}
	var tools, packing time.Duration
	for name, at := range phases {
		switch {
		case strings.HasPrefix(name, "building the host tools"):
			tools = at
		case strings.HasPrefix(name, "packaging"):
			packing = at
		}
	}
	fmt.Printf("total %v: toolchain (src/make.bash) %v, host tools %v, distpack %v\n",
		total.Round(time.Second), tools.Round(time.Second), (packing - tools).Round(time.Second), (total - packing).Round(time.Second))

	same, differ := 0, []string{}
	for _, n := range names {
		a, errA := os.ReadFile(filepath.Join(pack, n))
		b, errB := os.ReadFile(filepath.Join(work, "go", "pkg", "distpack", n))
		if errA == nil && errB == nil && bytes.Equal(a, b) {
			same++
		} else {
			differ = append(differ, n)
		}
	}
	fmt.Printf("reproducibility: %d of %d files of pkg/distpack byte-identical to the main build's", same, len(names))
	if len(differ) > 0 {
		fmt.Printf("; differ: %s (go test ./toolchain -run RebuildFromSource says what inside them)", strings.Join(differ, ", "))
	}
	fmt.Println()
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func deployFigures(root, dir string) {
	const runs = 5
	fmt.Printf("\n## Deploying hello on the test host: create -> first console output, %d runs each, one boot\n", runs)
	ex := filepath.Join(root, "misc", "xen", "examples")
	build := func(name, pkgDir string, env ...string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Dir = pkgDir
		cmd.Env = append(append(os.Environ(), "GOOS=xen", "GOARCH=amd64"), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			fatal(fmt.Sprintf("build %s: %v\n%s", pkgDir, err, b))
		}
		return out
	}
	c := testhost.Case{
		Name:      "deploy",
		Kernel:    build("sigterm.xen", filepath.Join(root, "test", "e2e", "testdata", "sigterm"), "GO111MODULE=off"),
		MemoryMiB: 32,
		HostTools: []string{
			filepath.Join(root, "test", "e2e", "testdata", "deploy", "deploy.sh"),
			build("hello.xen", filepath.Join(ex, "hello")),
			build("server.xen", filepath.Join(ex, "server")),
			build("exitcode.xen", filepath.Join(root, "test", "e2e", "testdata", "exitcode"), "GO111MODULE=off"),
			filepath.Join(ex, "hello", "hello.cfg"),
			filepath.Join(ex, "hello", "hello.xml"),
			filepath.Join(ex, "server", "server.cfg"),
			filepath.Join(ex, "server", "server.xml"),
		},
		HostCommands:          []string{"deploy.sh setup", fmt.Sprintf("deploy.sh time-xl %d", runs), fmt.Sprintf("deploy.sh time-virsh %d", runs)},
		ShutdownAfterCommands: true,
		CommandTimeout:        10 * time.Minute,
		Timeout:               30 * time.Minute,
	}
	results, err := testhost.Run(context.Background(), testhost.Config{}, []testhost.Case{c})
	check(err)
	r := results[0]
	if len(r.HostOutputs) != 3 {
		fatal(fmt.Sprintf("%s\n%+v\n%s", r.Summary(), r.HostOutputs, r.Details()))
	}
	for _, h := range r.HostOutputs[1:] {
		if h.ExitStatus != 0 {
			fatal(fmt.Sprintf("%s: exit status %d\n%s\n%s", h.Command, h.ExitStatus, h.Stdout, h.Stderr))
		}
		var create, first []int
		for _, line := range strings.Split(h.Stdout, "\n") {
			f := strings.Fields(line)
			for _, kv := range f {
				k, v, _ := strings.Cut(kv, "=")
				n, err := strconv.Atoi(v)
				if err != nil {
					continue
				}
				switch k {
				case "create_ms":
					create = append(create, n)
				case "first_output_ms":
					first = append(first, n)
				}
			}
		}
		if len(first) == 0 {
			fatal(h.Command + ": no timings:\n" + h.Stdout + h.Stderr)
		}
		what := "xl create hello.cfg  "
		if strings.Contains(h.Command, "virsh") {
			what = "virsh create hello.xml"
		}
		fmt.Printf("%s: first console output %s ms (median %d; create returns after %s ms)\n",
			what, joinInts(first), median(first), joinInts(create))
	}
}

func median(v []int) int {
	s := append([]int(nil), v...)
	sort.Ints(s)
	return s[len(s)/2]
}

func joinInts(v []int) string {
	var s []string
	for _, n := range v {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ", ")
}
