module tpkg

go 1.26
