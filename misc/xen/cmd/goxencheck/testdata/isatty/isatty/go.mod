module example.com/isatty

go 1.26
