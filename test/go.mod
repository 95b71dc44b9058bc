module goforxen.dev/test

go 1.26.0

require (
	goforxen.dev/misc/xen v0.0.0
	golang.org/x/arch v0.33.0
)

// The test host and the runner's packages live in the repository's
// misc/xen module.
replace goforxen.dev/misc/xen => ../misc/xen
