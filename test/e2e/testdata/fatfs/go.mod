module goforxen.dev/test/e2e/testdata/fatfs

go 1.26

require github.com/diskfs/go-diskfs v1.9.4

require github.com/elliotwutingfeng/asciiset v0.0.0-20260129054604-cfde2086bc57 // indirect
