module goforxen.dev/misc/xen

go 1.26
