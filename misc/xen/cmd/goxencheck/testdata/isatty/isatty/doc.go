// Package isatty reproduces github.com/mattn/go-isatty's layout: the
// fallback file names the non-Unix platforms it serves, and xen is not one.
package isatty
